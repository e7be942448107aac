import { readFile } from "node:fs/promises";
import { AuthStoreError, describeError } from "../../errors";
import type { AuthStore, UserRecord } from "../../storage/auth/auth-store";
import { hashPassword, passwordProblem, userNameProblem } from "../../auth/password";
import { nonEmpty } from "../../util/non-empty";

/** Who the audit trail names for a user made from the environment. */
export const ENVIRONMENT_ACTOR = "environment";

/**
 * The first admin, from the environment at server start: `LIGNEE_ADMIN_USER` with
 * `LIGNEE_ADMIN_PASSWORD` (or `LIGNEE_ADMIN_PASSWORD_FILE`, its first line) is created as an
 * admin when there is no user at all yet, and recorded in the audit trail (`user.add`, actor
 * "environment"). Resolves to the user created, or undefined when none was (nothing set, or
 * users exist). The settings are checked whether or not a user is created: a bad name, a
 * password too short, an unreadable file, a name without a password or the other way round,
 * or both passwords, throw `AuthStoreError` (INVALID_USER) and create nothing.
 */
export async function ensureFirstAdmin(
  store: AuthStore,
  env: Readonly<Record<string, string | undefined>> = process.env,
  now: Date = new Date(),
): Promise<UserRecord | undefined> {
  const wanted = await firstAdminSettings(env);
  if (!wanted) return undefined;
  if ((await store.listUsers()).length > 0) return undefined;
  let user: UserRecord;
  try {
    user = await store.addUser({
      name: wanted.name,
      role: "admin",
      passwordHash: await hashPassword(wanted.password),
      at: now,
    });
  } catch (error) {
    // Another process starting at the same time created it first.
    if (error instanceof AuthStoreError && error.code === "CONFLICT") return undefined;
    throw error;
  }
  await store.recordAudit({
    actor: ENVIRONMENT_ACTOR,
    actorKind: "service",
    action: "user.add",
    target: user.name,
    detail: { role: user.role, from: "LIGNEE_ADMIN_USER" },
    at: now,
  });
  return user;
}

/** The first admin the environment asks for, checked; undefined when it asks for none. */
export async function firstAdminSettings(
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ name: string; password: string } | undefined> {
  const name = nonEmpty(env.LIGNEE_ADMIN_USER);
  const password = env.LIGNEE_ADMIN_PASSWORD || undefined;
  const file = nonEmpty(env.LIGNEE_ADMIN_PASSWORD_FILE);
  if (name === undefined && password === undefined && file === undefined) return undefined;
  if (name === undefined) {
    throw invalid(
      `${password !== undefined ? "LIGNEE_ADMIN_PASSWORD" : "LIGNEE_ADMIN_PASSWORD_FILE"} is set without LIGNEE_ADMIN_USER: set both, or neither`,
    );
  }
  const nameProblem = userNameProblem(name);
  if (nameProblem) throw invalid(`LIGNEE_ADMIN_USER: ${nameProblem}`);
  if (password !== undefined && file !== undefined) {
    throw invalid("set LIGNEE_ADMIN_PASSWORD or LIGNEE_ADMIN_PASSWORD_FILE, not both");
  }
  if (password === undefined && file === undefined) {
    throw invalid(
      "LIGNEE_ADMIN_USER is set without LIGNEE_ADMIN_PASSWORD or LIGNEE_ADMIN_PASSWORD_FILE (there is no default password)",
    );
  }
  const given = password ?? (await readPasswordFile(file!));
  const problem = passwordProblem(given);
  if (problem) {
    throw invalid(
      `${password !== undefined ? "LIGNEE_ADMIN_PASSWORD" : "LIGNEE_ADMIN_PASSWORD_FILE"}: ${problem}`,
    );
  }
  return { name, password: given };
}

/** A password file's first line (a secret file usually ends with a line break). */
async function readPasswordFile(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw invalid(`LIGNEE_ADMIN_PASSWORD_FILE: cannot read ${file}: ${describeError(error)}`);
  }
  return text.split(/\r?\n/)[0] ?? "";
}

function invalid(message: string): AuthStoreError {
  return new AuthStoreError("INVALID_USER", `first admin: ${message}`);
}
