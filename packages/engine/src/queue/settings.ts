import { limitsFromEnv, LimitsConfigError, type ConcurrencyLimits } from "./pools";

/** How workers and the servers that queue runs are tuned, from the environment. */
export interface QueueSettings {
  readonly limits: ConcurrencyLimits;
  /** `LIGNEE_RUN_MAX_ATTEMPTS` (default 3): tries of a run whose worker dies, the first included. */
  readonly maxAttempts: number;
  /** `LIGNEE_LEASE_MS` (default 15000): a dead worker's run is retried after about this long. */
  readonly leaseMs: number;
  /** `LIGNEE_WORKER_CONCURRENCY` (default 2): runs one worker executes at once. */
  readonly workerConcurrency: number;
}

/**
 * The limits workers apply: the definitions' default pool limits, overridden by the
 * environment's (`LIGNEE_POOLS`).
 */
export function limitsFor(
  definitionPools: Readonly<Record<string, number>>,
  settings: QueueSettings,
): ConcurrencyLimits {
  return {
    maxConcurrentRuns: settings.limits.maxConcurrentRuns,
    pools: { ...definitionPools, ...settings.limits.pools },
  };
}

/**
 * @example
 * queueSettingsFromEnv({ LIGNEE_RUN_MAX_ATTEMPTS: "5" }).maxAttempts // 5
 */
export function queueSettingsFromEnv(env: Record<string, string | undefined>): QueueSettings {
  return {
    limits: limitsFromEnv(env),
    maxAttempts: integer(env, "LIGNEE_RUN_MAX_ATTEMPTS", 3, 1),
    leaseMs: integer(env, "LIGNEE_LEASE_MS", 15_000, 500),
    workerConcurrency: integer(env, "LIGNEE_WORKER_CONCURRENCY", 2, 1),
  };
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
): number {
  const text = env[name]?.trim();
  if (!text) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min)
    throw new LimitsConfigError(`${name} must be an integer ≥ ${min}, not "${text}"`);
  return n;
}
