import type pg from "pg";
import { recordAlertEvent } from "../alerts/record-alert-event";
import { inTransaction } from "../transaction";
import { lockFreshnessState } from "./lock-freshness-state";
import {
  freshnessAlert,
  freshnessTransition,
  type FreshnessTarget,
  type FreshnessTransition,
} from "./freshness-transition";
import { writeFreshnessState } from "./write-freshness-state";

/**
 * Records an asset's evaluated freshness, compare-and-set on its locked row: a transition is
 * written with its alert event (`freshness_overdue`, `freshness_recovered`) in one
 * transaction; a scheduler that evaluated the same instant finds the row already moved and
 * writes nothing. Resolves to the transition this call made, if any.
 */
export function recordFreshness(
  pool: pg.Pool,
  target: FreshnessTarget,
): Promise<FreshnessTransition | undefined> {
  return inTransaction(pool, "freshness", async (tx) => {
    const recorded = await lockFreshnessState(tx, target.assetKey);
    const transition = freshnessTransition(recorded, target);
    if (!transition) return undefined;
    await writeFreshnessState(tx, target);
    if (transition.kind !== "moved") await recordAlertEvent(tx, freshnessAlert(transition));
    return transition;
  });
}
