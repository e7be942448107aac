import { charactersMissing, MIN_PASSWORD } from "./password-length";

export { MIN_PASSWORD } from "./password-length";

/**
 * Why a password cannot be sent yet, next to its field, or nothing when it can (or is empty).
 * Not a live region, which would be read out at every keystroke: the field points at it with
 * `aria-describedby={id}`, so it is read with the field.
 */
export function PasswordTooShort({ id, password }: { id: string; password: string }) {
  const missing = charactersMissing(password);
  if (missing === 0) return null;
  return (
    <span className="field-hint" id={id} data-testid="password-too-short">
      {MIN_PASSWORD} characters or more: {missing} to go
    </span>
  );
}
