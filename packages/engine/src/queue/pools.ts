import type { Definitions } from "../definitions/definitions";
import { LigneeError } from "../errors";
import type { ConcurrencyLimits } from "../storage/runs/pool-usage";

/** Concurrency limits (a global maximum, named pools): declared where slots are counted. */
export type { ConcurrencyLimits } from "../storage/runs/pool-usage";

export const POOL_TAG = "pool";

export const DEFAULT_LIMITS: ConcurrencyLimits = { maxConcurrentRuns: 20, pools: {} };

export class LimitsConfigError extends LigneeError {
  constructor(message: string) {
    super("RUNTIME", message);
  }
}

/**
 * Reads `LIGNEE_MAX_CONCURRENT_RUNS` and `LIGNEE_POOLS` ("france_travail=1,dbt=2").
 *
 * @example
 * limitsFromEnv({ LIGNEE_POOLS: "france_travail=1" }).pools // { france_travail: 1 }
 */
export function limitsFromEnv(env: Record<string, string | undefined>): ConcurrencyLimits {
  const max = env.LIGNEE_MAX_CONCURRENT_RUNS?.trim();
  const maxConcurrentRuns = max ? positiveInteger("LIGNEE_MAX_CONCURRENT_RUNS", max) : undefined;
  const pools: Record<string, number> = {};
  for (const entry of (env.LIGNEE_POOLS ?? "").split(",")) {
    if (entry.trim() === "") continue;
    const match = /^\s*([A-Za-z0-9_.-]+)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!match) throw new LimitsConfigError(`LIGNEE_POOLS: "${entry.trim()}" is not NAME=LIMIT`);
    pools[match[1]!] = positiveInteger(`LIGNEE_POOLS ${match[1]}`, match[2]!);
  }
  return { maxConcurrentRuns: maxConcurrentRuns ?? DEFAULT_LIMITS.maxConcurrentRuns, pools };
}

/** The pools a run of these assets takes a slot of. */
export function poolsOf(definitions: Definitions<unknown>, assetKeys: readonly string[]): string[] {
  const pools = new Set<string>();
  for (const key of assetKeys) {
    const pool = definitions.get(key).tags[POOL_TAG];
    if (pool) pools.add(pool);
  }
  return [...pools].sort();
}

function positiveInteger(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new LimitsConfigError(`${name} must be a positive integer, not "${text}"`);
  return n;
}
