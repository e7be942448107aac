/** What can launch a run. */
export const LAUNCH_KINDS = [
  "cli",
  "api",
  "schedule",
  "sensor",
  "eager",
  "backfill",
  "reexecution",
] as const;

export type LaunchKind = (typeof LAUNCH_KINDS)[number];

/**
 * What launched a run, stored with it: its kind and a detail that says which one — the OS user
 * for the CLI, the schedule's or sensor's name, the backfill's id, the re-executed run's id
 * (null when there is nothing more to say: the API without users, eager automation).
 *
 * @example
 * const launchedBy: LaunchedBy = { kind: "schedule", detail: "offres_daily" };
 */
export interface LaunchedBy {
  readonly kind: LaunchKind;
  readonly detail: string | null;
}

/** `schedule offres_daily`, `cli (alice)`, `eager`; `unknown` for runs older than the record. */
export function describeLaunchedBy(launchedBy: LaunchedBy | null): string {
  if (!launchedBy) return "unknown";
  if (launchedBy.detail === null) return launchedBy.kind;
  return launchedBy.kind === "cli" || launchedBy.kind === "api"
    ? `${launchedBy.kind} (${launchedBy.detail})`
    : `${launchedBy.kind} ${launchedBy.detail}`;
}
