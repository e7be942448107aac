import { userInfo } from "node:os";

/**
 * The name of the OS user running the CLI (recorded as who launched its runs), or null when the
 * system does not know it (a container's uid with no passwd entry).
 */
export function osUser(): string | null {
  try {
    return userInfo().username;
  } catch {
    return null;
  }
}
