import { quote, RunIdPrefixError, UnknownRunError } from "../errors";
import { isFullRunId, parseRunIdPrefix } from "./runs/id-prefix";
import type { RunRecord, Storage } from "./storage";

/** How many runs an ambiguous prefix's error names. */
const CANDIDATES_SHOWN = 10;

/**
 * The run a user names by its id or by the start of it (the UI and `lignee runs` show 8
 * characters). UnknownRunError when no run matches; RunIdPrefixError when the prefix is too
 * short, not hexadecimal, or matches several runs (the error names them, newest first).
 *
 * @example
 * const run = await resolveRunId(storage, "8898dbe9");
 */
export async function resolveRunId(storage: Storage, text: string): Promise<RunRecord> {
  if (isFullRunId(text)) {
    const run = await storage.getRun(text.toLowerCase());
    if (!run) throw new UnknownRunError(text);
    return run;
  }
  const candidates = await storage.listRuns({
    idPrefix: parseRunIdPrefix(text),
    limit: CANDIDATES_SHOWN + 1,
  });
  const [only, ...others] = candidates;
  if (!only) throw new UnknownRunError(text);
  if (others.length === 0) return only;
  const shown = candidates.slice(0, CANDIDATES_SHOWN);
  const count =
    candidates.length > CANDIDATES_SHOWN ? `more than ${CANDIDATES_SHOWN}` : `${candidates.length}`;
  const listed = shown.map((r) => `${r.id} (${r.status}, ${r.createdAt.toISOString()})`);
  throw new RunIdPrefixError(
    text,
    shown.map((r) => r.id),
    `run id prefix ${quote(text)} is ambiguous, it matches ${count} runs: ${listed.join(", ")}; give more characters`,
  );
}
