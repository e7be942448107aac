import { UnknownRunError } from "../errors";
import { parseRunIdPrefix } from "../storage/runs/id-prefix";
import type { RunRecord, Storage } from "../storage/storage";
import { RunIdParam } from "./schemas";

/** How many runs a 404 for a shortened id names. */
const CANDIDATES_SHOWN = 5;

/**
 * The run a route's `:id` names; UnknownRunError (404) when there is none. A route takes whole
 * ids only (an action on a run must name it exactly): for the start of one, the 404 names the
 * runs it matches, which `GET /api/runs?idPrefix=` lists.
 */
export async function findRun(storage: Storage, id: string): Promise<RunRecord> {
  // A malformed id cannot name a run: 404 without asking PostgreSQL (which rejects non-UUIDs).
  if (!RunIdParam.safeParse({ id }).success) throw await notAWholeId(storage, id);
  const run = await storage.getRun(id);
  if (!run) throw new UnknownRunError(id);
  return run;
}

async function notAWholeId(storage: Storage, id: string): Promise<UnknownRunError> {
  let prefix: string;
  try {
    prefix = parseRunIdPrefix(id);
  } catch {
    return new UnknownRunError(id);
  }
  const candidates = await storage.listRuns({ idPrefix: prefix, limit: CANDIDATES_SHOWN });
  if (candidates.length === 0) return new UnknownRunError(id);
  const ids = candidates.map((r) => r.id).join(", ");
  return new UnknownRunError(id, `run ids are whole UUIDs; runs starting with it: ${ids}`);
}
