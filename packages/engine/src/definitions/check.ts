import type { AssetKey } from "../graph/asset-key";
import type { Logger, Metadata } from "./asset";

/** `error`: a failure holds what is downstream of the asset; `warn`: it is only reported. */
export type CheckSeverity = "error" | "warn";

/** What a check's `evaluate` function receives: one partition (or the unpartitioned asset). */
export interface CheckContext<R = unknown> {
  readonly assetKey: AssetKey;
  readonly checkName: string;
  /** The run that evaluates the check (the asset's run, or a run of `lignee check`). */
  readonly runId: string;
  /** The partition checked; undefined for an unpartitioned asset. */
  readonly partitionKey: string | undefined;
  /** For time partitions: the instants the partition covers. */
  readonly partitionTimeWindow: { readonly start: Date; readonly end: Date } | undefined;
  readonly log: Logger;
  /** Aborted when the run is cancelled. */
  readonly signal: AbortSignal;
  readonly resources: R;
}

/** The outcome of one evaluation of a check. */
export interface CheckEvaluation {
  readonly passed: boolean;
  /** One line saying what was found (e.g. `3 duplicate ids`), shown with the result. */
  readonly description?: string;
  readonly metadata?: Metadata;
}

/** A data-quality check on one asset, evaluated after each of its materialisations. */
export interface CheckDefinition<R = unknown> {
  readonly asset: AssetKey;
  /** Unique among the checks of the asset (letters, digits, `_`, `-`, `.`). */
  readonly name: string;
  readonly severity: CheckSeverity;
  readonly description: string | undefined;
  readonly evaluate: (ctx: CheckContext<R>) => Promise<CheckEvaluation>;
}

export interface CheckOptions<R> {
  asset: AssetKey;
  name: string;
  severity?: CheckSeverity;
  description?: string;
  evaluate: (ctx: CheckContext<R>) => Promise<CheckEvaluation>;
}

/**
 * Declares a check on an asset (a TypeScript asset or a dbt model). It runs after the asset's
 * materialisation, in the same run, once per partition. A failing `error` check holds the
 * asset's downstream until the check passes again (a dependency may opt out with
 * `{ asset, blockOnChecks: false }`).
 *
 * @example
 * const noDuplicates = defineCheck<Resources>({
 *   asset: "raw/offres",
 *   name: "unique_ids",
 *   severity: "error",
 *   async evaluate(ctx) {
 *     const n = await countDuplicates(ctx.resources.warehouse, ctx.partitionKey!);
 *     return { passed: n === 0, description: `${n} duplicate ids`, metadata: { duplicates: n } };
 *   },
 * });
 */
export function defineCheck<R = unknown>(options: CheckOptions<R>): CheckDefinition<R> {
  return {
    asset: options.asset,
    name: options.name,
    severity: options.severity ?? "error",
    description: options.description,
    evaluate: options.evaluate,
  };
}

const CHECK_NAME = /^[A-Za-z0-9_.-]+$/;

/** Problems of a set of checks against the known asset keys (empty when valid). */
export function checkProblems(
  checks: readonly CheckDefinition<never>[],
  hasAsset: (key: AssetKey) => boolean,
): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const c of checks) {
    const label = `check "${c.asset}:${String(c.name)}"`;
    if (typeof c.name !== "string" || !CHECK_NAME.test(c.name))
      problems.push(`${label}: the name may hold only letters, digits, "_", "-" and "."`);
    if (c.severity !== "error" && c.severity !== "warn")
      problems.push(`${label}: unknown severity "${String(c.severity)}" (error, warn)`);
    if (typeof c.evaluate !== "function") problems.push(`${label} has no evaluate function`);
    if (!hasAsset(c.asset)) problems.push(`${label} is on unknown asset "${c.asset}"`);
    const id = `${c.asset}:${c.name}`;
    if (seen.has(id)) problems.push(`${label} is declared twice`);
    seen.add(id);
  }
  return problems;
}
