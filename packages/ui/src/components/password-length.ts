/** The server's shortest password, in characters. */
export const MIN_PASSWORD = 12;

/**
 * A password's length as the server counts it: in characters (code points), so an emoji is
 * one, not the two UTF-16 code units of `String.length`.
 */
export function passwordLength(password: string): number {
  return Array.from(password).length;
}

/** How many characters a password lacks to be long enough; 0 when it is, or when it is empty. */
export function charactersMissing(password: string): number {
  const length = passwordLength(password);
  return length === 0 ? 0 : Math.max(0, MIN_PASSWORD - length);
}

/** Long enough to be sent. */
export function longEnough(password: string): boolean {
  return passwordLength(password) >= MIN_PASSWORD;
}
