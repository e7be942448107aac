import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/**
 * Passwords, hashed with scrypt (node:crypto): `scrypt$N$r$p$<salt base64>$<key base64>`,
 * N = 2^15, r = 8, p = 1, a 16-byte random salt and a 32-byte key. Pure: no storage here.
 */
const COST = 2 ** 15;
const BLOCK_SIZE = 8;
const PARALLELIZATION = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/**
 * The most work a stored hash may ask for (128 · N · r · p bytes of scrypt's memory-hard work,
 * 32 MiB with the parameters above): a hash edited to ask for far more would make every
 * verification slow and hog the thread pool.
 */
const MAX_WORK_BYTES = 64 * 1024 * 1024;

export const PASSWORD_MIN_CHARACTERS = 12;
export const PASSWORD_MAX_CHARACTERS = 1024;
export const USER_NAME_PATTERN = /^[A-Za-z0-9._@-]{1,64}$/;

interface ScryptParameters {
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
}

const DEFAULT_PARAMETERS: ScryptParameters = {
  cost: COST,
  blockSize: BLOCK_SIZE,
  parallelization: PARALLELIZATION,
};

/** Hashes a password with a new random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, DEFAULT_PARAMETERS, KEY_BYTES);
  const { cost, blockSize, parallelization } = DEFAULT_PARAMETERS;
  return [
    "scrypt",
    cost,
    blockSize,
    parallelization,
    salt.toString("base64"),
    key.toString("base64"),
  ].join("$");
}

/**
 * Does `password` match `hash` (made by `hashPassword`)? The keys are compared in constant
 * time; a malformed hash matches nothing.
 */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed.parameters, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

const DUMMY_SALT = Buffer.alloc(SALT_BYTES, 7);

/**
 * Spends the time a `verifyPassword` takes, for a user that does not exist (or has no
 * password), so that how long a sign-in takes does not tell whether the user exists.
 * Always false.
 */
export async function dummyVerify(password: string): Promise<false> {
  await derive(password, DUMMY_SALT, DEFAULT_PARAMETERS, KEY_BYTES);
  return false;
}

/** What is wrong with a new password, or undefined when it may be used. */
export function passwordProblem(password: string): string | undefined {
  const length = Array.from(password).length;
  if (length < PASSWORD_MIN_CHARACTERS) {
    return `a password needs at least ${PASSWORD_MIN_CHARACTERS} characters (this one has ${length})`;
  }
  if (length > PASSWORD_MAX_CHARACTERS) {
    return `a password has at most ${PASSWORD_MAX_CHARACTERS} characters`;
  }
  if (/^\s*$/u.test(password)) return "a password cannot be only spaces";
  // A line break or another control character could not be typed into the sign-in form.
  if (/\p{Cc}/u.test(password)) return "a password may not hold line breaks or control characters";
  return undefined;
}

/** What is wrong with a user name, or undefined when it may be used. */
export function userNameProblem(name: string): string | undefined {
  if (USER_NAME_PATTERN.test(name)) return undefined;
  return "a user name has 1 to 64 characters, letters, digits, . _ - or @";
}

function derive(
  password: string,
  salt: Buffer,
  parameters: ScryptParameters,
  keyBytes: number,
): Promise<Buffer> {
  const { cost, blockSize, parallelization } = parameters;
  const options: ScryptOptions = {
    N: cost,
    r: blockSize,
    p: parallelization,
    // scrypt needs 128 * N * r bytes; Node's default limit (32 MiB) is just short of N = 2^15.
    maxmem: 128 * cost * blockSize + 1024 * 1024,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFC"), salt, keyBytes, options, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** The parts of a stored hash, or undefined when it is not one `hashPassword` could have made. */
function parseHash(
  hash: string,
): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | undefined {
  const parts = hash.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [cost, blockSize, parallelization] = parts.slice(1, 4).map(Number) as [
    number,
    number,
    number,
  ];
  const powerOfTwo = Number.isInteger(cost) && cost > 1 && (cost & (cost - 1)) === 0;
  if (!powerOfTwo || !Number.isInteger(blockSize) || blockSize < 1) return undefined;
  if (!Number.isInteger(parallelization) || parallelization < 1) return undefined;
  if (128 * cost * blockSize * parallelization > MAX_WORK_BYTES) return undefined;
  const salt = Buffer.from(parts[4]!, "base64");
  const key = Buffer.from(parts[5]!, "base64");
  if (salt.length === 0 || key.length < 16 || key.length > 64) return undefined;
  return { parameters: { cost, blockSize, parallelization }, salt, key };
}
