import { UnknownRunError } from "../errors";
import type { RunRecord, Storage } from "../storage/storage";
import { RunIdParam } from "./schemas";

/** The run a route's `:id` names; UnknownRunError (404) when there is none. */
export async function findRun(storage: Storage, id: string): Promise<RunRecord> {
  // A malformed id cannot name a run: 404 without asking PostgreSQL (which rejects non-UUIDs).
  if (!RunIdParam.safeParse({ id }).success) throw new UnknownRunError(id);
  const run = await storage.getRun(id);
  if (!run) throw new UnknownRunError(id);
  return run;
}
