/**
 * The shapes of the Lignée HTTP API (see /api/openapi.json), as the UI reads them: inferred from
 * the engine's zod schemas (`@lignee/engine/wire`), so a change to the API fails the UI's
 * type-check where it reads the changed field. Type-only: nothing of the engine or zod reaches
 * the bundle. (A relative path, as the UI does not depend on the engine package at run time.)
 */
import type {
  AssetStatus,
  Backfill,
  BackfillStatus,
  RunStatus,
} from "../../../engine/src/server/wire";

export type * from "../../../engine/src/server/wire";

/**
 * A list of every member of a union, checked at compile time: the call fails to type-check
 * when the list misses a member (e.g. the API gains a status), so lists that the UI iterates
 * cannot fall behind the API's types.
 */
export function everyOf<U extends string>() {
  return <const L extends readonly U[]>(
    values: L &
      ([Exclude<U, L[number]>] extends [never] ? unknown : { missing: Exclude<U, L[number]> }),
  ): readonly U[] => values;
}

/** In the order the UI shows them. */
export const ASSET_STATUSES = everyOf<AssetStatus>()([
  "FRESH",
  "STALE",
  "MISSING",
  "FAILED",
  "RUNNING",
]);
export const RUN_STATUSES = everyOf<RunStatus>()([
  "QUEUED",
  "STARTED",
  "SUCCESS",
  "FAILURE",
  "CANCELED",
]);
export const BACKFILL_STATUSES = everyOf<BackfillStatus>()([
  "REQUESTED",
  "RUNNING",
  "COMPLETED",
  "FAILED",
  "CANCELED",
]);

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ["SUCCESS", "FAILURE", "CANCELED"];

/** Nothing left to wait for: ended, or cancelled with none of its runs still executing. */
export function isBackfillDone(backfill: Backfill): boolean {
  if (backfill.status === "COMPLETED" || backfill.status === "FAILED") return true;
  return backfill.status === "CANCELED" && backfill.progress.runs.STARTED === 0;
}
