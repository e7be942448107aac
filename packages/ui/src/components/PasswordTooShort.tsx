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

/**
 * A field for a new password with its hint (see `PasswordTooShort`): marked invalid and
 * pointing at the hint while the password is too short.
 */
export function NewPasswordInput({
  id,
  value,
  onChange,
  testId,
  autoFocus = false,
}: {
  /** The hint's id. */
  id: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
  autoFocus?: boolean;
}) {
  const tooShort = charactersMissing(value) > 0;
  return (
    <>
      <input
        type="password"
        autoFocus={autoFocus}
        autoComplete="new-password"
        value={value}
        placeholder={`${MIN_PASSWORD} characters or more`}
        aria-invalid={tooShort}
        aria-describedby={tooShort ? id : undefined}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
      <PasswordTooShort id={id} password={value} />
    </>
  );
}
