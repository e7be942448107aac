import type { Definitions } from "../definitions/definitions";
import type { Plan, PlanStep } from "../planning/plan";
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
  readonly now?: () => Date;
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
}

export interface StepFailure {
  readonly stepKey: string;
  readonly error: string;
}

type StepState = "pending" | "running" | "succeeded" | "failed" | "skipped";

/**
 * Runs a plan in this process: steps start as soon as the steps they depend on have succeeded,
 * at most `concurrency` at a time; a step whose user code threw a transient error (see
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
          for (const d of dependents.get(step.key) ?? []) {
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

  while (ready.length > 0 || running.size > 0) {
    while (!controller.signal.aborted && ready.length > 0 && running.size < concurrency) {
      launch(ready.shift()!);
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
    : failed.length > 0
      ? "FAILURE"
      : "SUCCESS";
  return {
    outcome,
    succeeded: keysIn("succeeded"),
    failed,
    skipped: keysIn("skipped"),
    failures: failed.map((stepKey) => ({ stepKey, error: errors.get(stepKey) ?? "failed" })),
  };
}
