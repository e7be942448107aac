import type { FreshnessStateRecord } from "./freshness-row";

/** What the scheduler evaluated an asset to be (see `evaluateFreshness`). */
export interface FreshnessTarget {
  readonly assetKey: string;
  readonly state: "fresh" | "overdue";
  readonly since: Date | null;
  readonly partitionKey: string | null;
  /** The policy in words, for the announcement. */
  readonly policy: string;
  /** The instant the evaluation was made at (the scheduler's `now`). */
  readonly evaluatedAt: Date;
}

/**
 * A change of recorded freshness: `overdue` and `recovered` are announced (alert events);
 * `moved` is an overdue asset whose oldest missing partition changed (part of the gap filled),
 * recorded silently.
 */
export type FreshnessTransition =
  | { readonly kind: "overdue"; readonly target: FreshnessTarget }
  | {
      readonly kind: "recovered";
      readonly target: FreshnessTarget;
      readonly overdueSince: Date | null;
    }
  | { readonly kind: "moved"; readonly target: FreshnessTarget };

/**
 * Pure: the transition from the recorded state to the evaluated one; undefined when none. A
 * "fresh" evaluated before the recorded overdue began (a scheduler whose clock runs behind
 * another's, just before a deadline) recovers nothing.
 */
export function freshnessTransition(
  recorded: Pick<FreshnessStateRecord, "state" | "since" | "partitionKey">,
  target: FreshnessTarget,
): FreshnessTransition | undefined {
  if (target.state === "fresh") {
    if (recorded.state !== "overdue") return undefined;
    if (recorded.since && target.evaluatedAt.getTime() < recorded.since.getTime()) return undefined;
    return { kind: "recovered", target, overdueSince: recorded.since };
  }
  if (recorded.state !== "overdue") return { kind: "overdue", target };
  const same =
    (recorded.since?.getTime() ?? null) === (target.since?.getTime() ?? null) &&
    recorded.partitionKey === target.partitionKey;
  return same ? undefined : { kind: "moved", target };
}

/** The alert event a transition writes: one per fact, whoever records it. */
export function freshnessAlert(transition: FreshnessTransition) {
  const t = transition.target;
  const since = t.since ? t.since.toISOString() : "never";
  if (transition.kind === "recovered") {
    const was = transition.overdueSince ? transition.overdueSince.toISOString() : "never";
    return {
      kind: "freshness_recovered" as const,
      dedupeKey: `freshness_recovered:${t.assetKey}:${was}`,
      subject: `${t.assetKey} is fresh again (overdue since ${transition.overdueSince ? was : "it was never materialised"})`,
      payload: {
        asset: t.assetKey,
        overdueSince: transition.overdueSince?.toISOString() ?? null,
        policy: t.policy,
      },
    };
  }
  const what = t.partitionKey
    ? `partition ${t.partitionKey} missing`
    : t.since
      ? "its latest materialisation is too old"
      : "never materialised";
  return {
    kind: "freshness_overdue" as const,
    dedupeKey: `freshness_overdue:${t.assetKey}:${since}`,
    subject: `${t.assetKey} is overdue${t.since ? ` since ${since}` : ""}: ${what} (${t.policy})`,
    payload: {
      asset: t.assetKey,
      since: t.since?.toISOString() ?? null,
      partitionKey: t.partitionKey,
      policy: t.policy,
    },
  };
}
