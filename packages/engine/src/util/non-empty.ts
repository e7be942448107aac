/** A setting's value trimmed, or undefined when it is missing or blank (`FOO=` in a .env file). */
export function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
