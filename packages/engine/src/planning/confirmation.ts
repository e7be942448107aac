import type { Definitions } from "../definitions/definitions";
import { ConfirmationRequiredError, LigneeError } from "../errors";
import { stepMembers, type Plan } from "./plan";

/** Partitions of one asset that a request may materialise without confirmation. */
export const DEFAULT_CONFIRM_ABOVE = 100;

/** How many partitions of each asset a plan materialises. */
export function partitionCounts(plan: Plan): Map<string, number> {
  const counts = new Map<string, number>();
  for (const step of plan.steps) {
    for (const m of stepMembers(step)) {
      counts.set(m.assetKey, (counts.get(m.assetKey) ?? 0) + m.partitionKeys.length);
    }
  }
  return counts;
}

/**
 * Refuses, unless `confirmed`, a request that materialises more partitions of an asset than
 * its limit: the asset's own (`confirmAbove`, e.g. 7 days of calls to an external API) or the
 * platform's (`limit`, default 100), whichever is lower. The error names the asset furthest
 * over its limit, with the count, so that whoever asked can confirm knowingly.
 *
 * @example
 * requireConfirmation(definitions, partitionCounts(prepared.plan), { confirmed: false, limit: 100 });
 */
export function requireConfirmation(
  definitions: Definitions<unknown>,
  counts: ReadonlyMap<string, number>,
  options: { readonly confirmed: boolean; readonly limit: number },
): void {
  if (options.confirmed) return;
  let worst: { assetKey: string; partitions: number; limit: number } | undefined;
  for (const [assetKey, partitions] of counts) {
    const own = definitions.get(assetKey).confirmAbove;
    const limit = own !== undefined ? Math.min(own, options.limit) : options.limit;
    if (partitions <= limit) continue;
    if (!worst || partitions / limit > worst.partitions / worst.limit) {
      worst = { assetKey, partitions, limit };
    }
  }
  if (!worst) return;
  const why =
    definitions.get(worst.assetKey).confirmAbove === worst.limit
      ? `more than the ${worst.limit} that ${worst.assetKey} may materialise at once without confirmation`
      : `more than ${worst.limit} without confirmation`;
  throw new ConfirmationRequiredError(
    `this request materialises ${worst.partitions} partitions of ${worst.assetKey}, ${why}: ask again with "confirm": true (lignee: --yes)`,
    worst,
  );
}

/**
 * The tag of a queued `stale` request accepted without confirmation: the platform limit it was
 * accepted under. Its worker plans it again when it starts it (what is stale may have grown
 * meanwhile) and refuses it if it has grown past that limit (see `requireConfirmationOnReplan`).
 */
export const CONFIRM_LIMIT_TAG = "lignee/confirm-limit";

/** The tags a request is queued with: a `stale` request accepted unconfirmed records its limit. */
export function confirmationTags(
  request: { readonly kind: string },
  options: { readonly confirmed: boolean; readonly limit: number },
): Record<string, string> {
  if (options.confirmed || request.kind !== "stale") return {};
  return { [CONFIRM_LIMIT_TAG]: String(options.limit) };
}

/**
 * At execution: a queued request that was accepted without confirmation (it carries
 * `CONFIRM_LIMIT_TAG`) may not materialise more than it could have without confirmation.
 */
export function requireConfirmationOnReplan(
  definitions: Definitions<unknown>,
  plan: Plan,
  tags: Readonly<Record<string, string>>,
): void {
  const limit = Number(tags[CONFIRM_LIMIT_TAG]);
  if (!Number.isInteger(limit) || limit < 1) return;
  requireConfirmation(definitions, partitionCounts(plan), { confirmed: false, limit });
}

/**
 * `LIGNEE_CONFIRM_PARTITIONS`: partitions of one asset a request may materialise without
 * confirmation (default 100).
 */
export function confirmLimitFromEnv(env: Readonly<Record<string, string | undefined>>): number {
  const text = env.LIGNEE_CONFIRM_PARTITIONS?.trim();
  if (!text) return DEFAULT_CONFIRM_ABOVE;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new LigneeError(
      "RUNTIME",
      `LIGNEE_CONFIRM_PARTITIONS must be a positive integer, not "${text}"`,
    );
  }
  return n;
}
