/** The server's shortest password. */
export const MIN_PASSWORD = 12;

/** Why a password cannot be sent yet, next to its field (`id` for its `aria-describedby`). */
export function PasswordTooShort({ id, length }: { id: string; length: number }) {
  const missing = MIN_PASSWORD - length;
  return (
    <span className="field-hint" id={id} role="status" data-testid="password-too-short">
      {MIN_PASSWORD} characters or more: {missing} to go
    </span>
  );
}
