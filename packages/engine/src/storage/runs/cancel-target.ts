/** Which runs a cancellation is about: one run, or every run of a backfill. */
export type CancelTarget = { readonly runId: string } | { readonly backfillId: string };

/** The column and value that select the target's runs (the column is one of two constants). */
export function targetColumn(target: CancelTarget): { column: string; value: string } {
  return "runId" in target
    ? { column: "id", value: target.runId }
    : { column: "backfill_id", value: target.backfillId };
}
