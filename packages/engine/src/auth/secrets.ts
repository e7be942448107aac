import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The secrets of sessions and API tokens. Only their SHA-256 is stored; the CSRF token of a
 * session is derived from its secret, so nothing more is stored for it. Pure: no storage here.
 */
const SECRET_BYTES = 32;

/** The prefix of users' API tokens, so that a leaked one is recognisable (and scannable). */
export const TOKEN_PREFIX = "lgn_";
export const TOKEN_LABEL_MAX_CHARACTERS = 100;

/** A new session secret: 32 random bytes, base64url. */
export function newSessionSecret(): string {
  return randomBytes(SECRET_BYTES).toString("base64url");
}

/** A new API token secret: `lgn_` and 32 random bytes, base64url. */
export function newTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(SECRET_BYTES).toString("base64url")}`;
}

/** The SHA-256 of a secret: what the store finds sessions and tokens by. */
export function sha256(secret: string): Buffer {
  return createHash("sha256").update(secret, "utf8").digest();
}

/** The CSRF token of a session: HMAC-SHA256(key = the session secret, "lignee-csrf"), base64url. */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac("sha256", sessionSecret).update("lignee-csrf").digest("base64url");
}

/** Is `candidate` the CSRF token of this session? Compared in constant time. */
export function isCsrfTokenOf(sessionSecret: string, candidate: string): boolean {
  const expected = Buffer.from(csrfTokenFor(sessionSecret));
  const given = Buffer.from(candidate);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What is wrong with a token's label, or undefined when it may be used. */
export function tokenLabelProblem(label: string): string | undefined {
  const length = Array.from(label).length;
  if (length === 0 || length > TOKEN_LABEL_MAX_CHARACTERS || label.trim() === "") {
    return `a token's label has 1 to ${TOKEN_LABEL_MAX_CHARACTERS} characters, not only spaces`;
  }
  return undefined;
}
