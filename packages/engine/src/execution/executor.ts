import { failedCheckPartitions } from "../status/failed-check-partitions";
import type { Definitions } from "../definitions/definitions";
import { partitionKey, partitionKeys } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { upstreamPartitionsFor } from "../partitions/mapping";
import { stepMembers, type Plan, type PlanStep } from "../planning/plan";
import { describeCheckBlock, MISSING_KEYS_SHOWN } from "../status/asset-status";
import type { CheckHold } from "./evaluate-checks";
import type { Storage } from "../storage/storage";
import type { RunEvent } from "./events";
import { runStep } from "./run-step";
import { stepEvent } from "./step-events";

export type RunOutcome = "SUCCESS" | "FAILURE" | "CANCELED";

export interface ExecuteOptions {
  readonly runId: string;
  readonly plan: Plan;
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  /** Passed to every `materialize` call as `ctx.resources`. */
  readonly resources: unknown;
  /** Steps running at once (default 4). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly emit: (event: RunEvent) => void;
  /** The run's tags, passed to every `materialize` call as `ctx.runTags`. */
  readonly tags?: Readonly<Record<string, string>>;
  /** The run's validated config, per asset key, passed to each asset as `ctx.config`. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly now?: () => Date;
  /**
   * Also hold the steps that read partitions whose latest `error` check failed before this run
   * (and that it does not rebuild): for runs that automation launched (schedules, sensors,
   * eager), not for explicit requests.
   */
  readonly holdOnStoredChecks?: boolean;
  /** Injectable for tests. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface ExecuteResult {
  readonly outcome: RunOutcome;
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
  readonly skipped: readonly string[];
  /** Why each failed step failed, in plan order (one line, see `describeFailure`). */
  readonly failures: readonly StepFailure[];
  /**
   * The `error` checks that failed (their step succeeded: the data is written), e.g.
   * `check unique_ids failed on raw/offres[2024-08-01]: 3 duplicate ids`. The run fails.
   */
  readonly checkFailures: readonly StepFailure[];
  /** Steps skipped because they read a partition whose `error` check failed, and why. */
  readonly held: readonly StepFailure[];
}

export interface StepFailure {
  readonly stepKey: string;
  readonly error: string;
}

type StepState = "pending" | "running" | "succeeded" | "failed" | "skipped";

/**
 * Runs a plan in this process: steps start as soon as the steps they depend on have succeeded,
 * at most `concurrency` at a time, assets in turn (see `fairestReady`); a step whose user code threw a transient error (see
 * `isTransient`) is retried per its asset's retry policy, any other failure fails it at once,
 * and then its downstream steps are skipped; aborting `signal` stops launching steps, aborts the running
 * ones through their context's signal and ends the run CANCELED. User code runs behind one
 * boundary: whatever it throws becomes a step failure with its cause kept, never a crash.
 */
export async function executePlan(options: ExecuteOptions): Promise<ExecuteResult> {
  const { plan, emit } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const now = options.now ?? (() => new Date());
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });

  prepareRunners(plan.steps, options);
  const state = new Map<string, StepState>(plan.steps.map((s) => [s.key, "pending"]));
  const errors = new Map<string, string>();
  const dependents = new Map<string, string[]>();
  const waitingOn = new Map<string, number>();
  for (const step of plan.steps) {
    waitingOn.set(step.key, step.dependsOn.length);
    for (const d of step.dependsOn) {
      const list = dependents.get(d) ?? [];
      list.push(step.key);
      dependents.set(d, list);
    }
  }
  const byKey = new Map(plan.steps.map((s) => [s.key, s]));
  const checkFailures: StepFailure[] = [];
  const held: StepFailure[] = [];
  const ready: PlanStep[] = plan.steps.filter((s) => s.dependsOn.length === 0);
  const running = new Set<Promise<void>>();

  const skipDownstream = (key: string, reason: string): void => {
    const stack = [...(dependents.get(key) ?? [])];
    while (stack.length > 0) {
      const k = stack.pop()!;
      if (state.get(k) !== "pending") continue;
      state.set(k, "skipped");
      const s = byKey.get(k)!;
      emit(stepEvent(s, "STEP_SKIPPED", "warn", `Skipped: ${reason}`));
      stack.push(...(dependents.get(k) ?? []));
    }
  };

  const launch = (step: PlanStep): void => {
    state.set(step.key, "running");
    const p = runStep(step, options, controller.signal, now)
      .then((end) => {
        state.set(step.key, end.ok ? "succeeded" : "failed");
        if (!end.ok) errors.set(step.key, end.error);
        if (end.ok) {
          for (const h of end.holds) checkFailures.push({ stepKey: step.key, error: holdText(h) });
          for (const d of dependents.get(step.key) ?? []) {
            const reason = heldBy(byKey.get(d)!, end.holds, options.definitions, now());
            if (reason !== undefined && state.get(d) === "pending") {
              state.set(d, "skipped");
              held.push({ stepKey: d, error: reason });
              emit(stepEvent(byKey.get(d)!, "STEP_SKIPPED", "warn", `Skipped: ${reason}`));
              skipDownstream(d, `upstream step ${d} was held by a failed check`);
              continue;
            }
            const left = waitingOn.get(d)! - 1;
            waitingOn.set(d, left);
            if (left === 0 && state.get(d) === "pending") ready.push(byKey.get(d)!);
          }
        } else {
          skipDownstream(step.key, `upstream step ${step.key} did not succeed`);
        }
      })
      .finally(() => running.delete(p));
    running.add(p);
  };

  if (options.holdOnStoredChecks) {
    const stored = await storedHolds(plan, options.definitions, options.storage, now());
    for (const step of plan.steps) {
      if (state.get(step.key) !== "pending") continue;
      const reason = heldBy(step, stored, options.definitions, now());
      if (reason === undefined) continue;
      state.set(step.key, "skipped");
      held.push({ stepKey: step.key, error: reason });
      emit(stepEvent(step, "STEP_SKIPPED", "warn", `Skipped: ${reason}`));
      skipDownstream(step.key, `upstream step ${step.key} was held by a failed check`);
    }
  }
  const startable = ready.filter((s) => state.get(s.key) === "pending");
  ready.splice(0, ready.length, ...startable);

  const launched = new Map<string, number>();
  while (ready.length > 0 || running.size > 0) {
    while (!controller.signal.aborted && ready.length > 0 && running.size < concurrency) {
      const [next] = ready.splice(fairestReady(ready, launched), 1);
      launched.set(next!.assetKey, (launched.get(next!.assetKey) ?? 0) + 1);
      launch(next!);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }

  const keysIn = (s: StepState): string[] =>
    plan.steps.filter((x) => state.get(x.key) === s).map((x) => x.key);
  if (controller.signal.aborted) {
    for (const step of plan.steps) {
      if (state.get(step.key) === "pending") {
        state.set(step.key, "skipped");
        emit(stepEvent(step, "STEP_SKIPPED", "warn", "Skipped: the run was cancelled"));
      }
    }
  }
  options.signal?.removeEventListener("abort", onAbort);
  const failed = keysIn("failed");
  const outcome: RunOutcome = controller.signal.aborted
    ? "CANCELED"
    : failed.length > 0 || checkFailures.length > 0 || held.length > 0
      ? "FAILURE"
      : "SUCCESS";
  return {
    outcome,
    succeeded: keysIn("succeeded"),
    failed,
    skipped: keysIn("skipped"),
    failures: failed.map((stepKey) => ({ stepKey, error: errors.get(stepKey) ?? "failed" })),
    checkFailures,
    held,
  };
}

/**
 * Which ready step to start next: of the asset that has started the fewest steps in this run,
 * the one that became ready first (plan order among the steps ready at the start). A run of many partitions of one asset and a few other assets starts
 * each asset early instead of queueing the others behind every partition: a long step of
 * another asset (a reference load, say) overlaps the many short ones rather than running alone
 * at the end, and the others' downstream steps can start sooner.
 */
function fairestReady(ready: readonly PlanStep[], launched: ReadonlyMap<string, number>): number {
  let best = 0;
  for (let i = 1; i < ready.length; i++) {
    if ((launched.get(ready[i]!.assetKey) ?? 0) < (launched.get(ready[best]!.assetKey) ?? 0))
      best = i;
  }
  return best;
}

/**
 * The failed `error` checks stored before the run, less the partitions the run rebuilds (their
 * checks are evaluated again in it, and hold what reads them only if they fail again).
 */
async function storedHolds(
  plan: Plan,
  definitions: Definitions<unknown>,
  storage: Storage,
  now: Date,
): Promise<CheckHold[]> {
  const failed = await storage.failedErrorChecks();
  if (failed.size === 0) return [];
  const built = new Map<string, IntervalSet>();
  for (const step of plan.steps) {
    if (step.checksOnly) continue;
    for (const m of stepMembers(step))
      built.set(m.assetKey, (built.get(m.assetKey) ?? IntervalSet.EMPTY).union(m.partitions));
  }
  const holds: CheckHold[] = [];
  for (const [assetKey, checks] of failed) {
    if (!definitions.has(assetKey)) continue;
    const def = definitions.get(assetKey).partitions;
    for (const c of checks) {
      const partitions = failedCheckPartitions(definitions, assetKey, c, now).subtract(
        built.get(assetKey) ?? IntervalSet.EMPTY,
      );
      if (partitions.isEmpty) continue;
      holds.push({
        assetKey,
        checkName: c.checkName,
        partitions,
        keys: def ? partitionKeys(def, partitions) : [],
        description: null,
      });
    }
  }
  return holds;
}

/** `check unique_ids failed on raw/offres[2024-08-01]: 3 duplicate ids` */
function holdText(h: CheckHold): string {
  const where =
    h.keys.length === 0
      ? h.assetKey
      : h.keys.length === 1
        ? `${h.assetKey}[${h.keys[0]}]`
        : `${h.assetKey}[${h.keys.slice(0, MISSING_KEYS_SHOWN).join(", ")}${h.keys.length > MISSING_KEYS_SHOWN ? ", …" : ""}]`;
  return `check ${h.checkName} failed on ${where}${h.description ? `: ${h.description}` : ""}`;
}

/**
 * Why a step is held by the failed checks of the step it waits for: the first check whose
 * failed partitions one of its members reads through a dependency that blocks on checks
 * (`blockOnChecks`, the default); undefined when none does.
 */
function heldBy(
  step: PlanStep,
  holds: readonly CheckHold[],
  definitions: Definitions<unknown>,
  now: Date,
): string | undefined {
  if (holds.length === 0) return undefined;
  for (const m of stepMembers(step)) {
    for (const dep of definitions.deps(m.assetKey)) {
      if (!dep.blockOnChecks) continue;
      const upDef = definitions.get(dep.asset).partitions;
      for (const h of holds) {
        if (h.assetKey !== dep.asset) continue;
        const read = upstreamPartitionsFor(
          dep.mapping,
          m.partitions,
          upDef,
          now,
          definitions.get(m.assetKey).partitions,
        );
        const failed = read.intersect(h.partitions);
        if (failed.isEmpty) continue;
        const keys = upDef
          ? [...failed].slice(0, MISSING_KEYS_SHOWN).map((i) => partitionKey(upDef, i))
          : [];
        return describeCheckBlock(h.assetKey, h.checkName, keys, failed.size);
      }
    }
  }
  return undefined;
}

/** Lets the runners of the plan's group steps get ready while the steps before theirs run. */
function prepareRunners(steps: readonly PlanStep[], options: ExecuteOptions): void {
  const prepared = new Set<string>();
  for (const step of steps) {
    if (step.runnerKey === undefined || prepared.has(step.runnerKey)) continue;
    prepared.add(step.runnerKey);
    const runner = options.definitions.get(step.assetKey).runner;
    try {
      runner?.prepare?.(options.resources);
    } catch {
      // Only a head start: the step itself reports what goes wrong.
    }
  }
}
