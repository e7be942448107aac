import type { Definitions } from "../definitions/definitions";
import { describeFreshnessPolicy } from "../definitions/freshness-policy";
import { computeFreshness } from "../status/asset-freshness";
import type { FreshnessStore } from "../storage/freshness/freshness-store";
import {
  freshnessTransition,
  type FreshnessTarget,
  type FreshnessTransition,
} from "../storage/freshness/freshness-transition";
import type { Storage } from "../storage/storage";

/** What one evaluation of the freshness policies did. */
export interface FreshnessOutcome {
  /** Assets with a policy. */
  readonly evaluated: number;
  /** Transitions this evaluation recorded (another scheduler may have recorded the others). */
  readonly transitions: readonly FreshnessTransition[];
}

/**
 * Evaluates every freshness policy at `now` (the pure `computeFreshness`) and records the
 * assets whose state changed since it was last recorded. Only changes open a transaction;
 * each is compare-and-set on the asset's row, with its alert event.
 */
export async function evaluateFreshnessPolicies(
  definitions: Definitions<unknown>,
  storage: Pick<Storage, "getAssetSummaries" | "lastMaterializedAt">,
  store: FreshnessStore,
  now: Date,
): Promise<FreshnessOutcome> {
  if (!definitions.assets.some((a) => definitions.freshnessPolicy(a.key))) {
    return { evaluated: 0, transitions: [] };
  }
  const [summaries, last, states] = await Promise.all([
    storage.getAssetSummaries(),
    storage.lastMaterializedAt(),
    store.listStates(),
  ]);
  const recorded = new Map(states.map((s) => [s.assetKey, s]));
  const freshness = computeFreshness(definitions, summaries, last, now);
  const transitions: FreshnessTransition[] = [];
  for (const { key, policy, evaluation } of freshness.values()) {
    const target: FreshnessTarget = {
      assetKey: key,
      state: evaluation.state,
      since: evaluation.state === "overdue" ? evaluation.since : null,
      partitionKey: evaluation.state === "overdue" ? (evaluation.partitionKey ?? null) : null,
      policy: describeFreshnessPolicy(policy),
      evaluatedAt: now,
    };
    const before = recorded.get(key) ?? { state: "fresh", since: null, partitionKey: null };
    if (!freshnessTransition(before, target)) continue;
    const made = await store.record(target);
    if (made) transitions.push(made);
  }
  return { evaluated: freshness.size, transitions };
}
