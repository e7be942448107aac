import type pg from "pg";

/**
 * Channel NOTIFYed by a process that reloaded its definitions (payload: their version), so that
 * the platform's other processes (workers, schedulers, on any machine) load theirs again.
 */
export const DEFINITIONS_CHANNEL = "lignee_definitions";

/** Tells every listening process that the definitions are now at `version`. */
export async function announceDefinitionsVersion(
  db: Pick<pg.Pool, "query">,
  version: string,
): Promise<void> {
  await db.query("SELECT pg_notify($1, $2)", [DEFINITIONS_CHANNEL, version]);
}
