import { randomUUID } from "node:crypto";
import type {
  AssetCheckResult,
  AssetDefinition,
  GroupMaterializeContext,
  Logger,
  MaterializeContext,
  MaterializeResult,
} from "../definitions/asset";
import type { Definitions } from "../definitions/definitions";
import { retryDelay } from "../definitions/retry-policy";
import { UserCodeError } from "../errors";
import { partitionKey, partitionTimeWindow } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { downstreamPartitionsFor, upstreamPartitionsFor } from "../partitions/mapping";
import { stepMembers, type Plan, type PlanStep, type StepMember } from "../planning/plan";
import type { MaterializedPartition, Storage } from "../storage/storage";
import { abortableSleep } from "./abortable-sleep";
import { claimStep } from "./claim-step";
import { isTransient } from "./error-class";
import { describeFailure, serializeError, type EventLevel, type RunEvent } from "./events";

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

/** How `runStep` ended: a failed step says why, for the run's error. */
type StepEnd = { readonly ok: true } | { readonly ok: false; readonly error: string };

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

type MemberOutcome =
  | { readonly ok: true; readonly result: MaterializeResult | void }
  | { readonly ok: false; readonly error: unknown };

/**
 * Runs one step with retries; resolves ok when every asset of the step was materialised,
 * else with why it failed. Never rejects. Only a transient error of user code is retried. A group step (several assets, one runner call) records each member on its
 * own: a member can fail while the others are materialised.
 */
async function runStep(
  step: PlanStep,
  options: ExecuteOptions,
  signal: AbortSignal,
  now: () => Date,
): Promise<StepEnd> {
  const { definitions, storage, runId, emit } = options;
  const members = stepMembers(step);
  const policy = definitions.get(members[0]!.assetKey).retryPolicy;
  const sleep = options.sleep ?? abortableSleep;
  const started = performance.now();
  emit(stepEvent(step, "STEP_START", "info", `Started ${step.key}`));
  const pending = new Set(members.map((m) => m.assetKey));
  const siblings = new Set(step.members ? members.map((m) => m.assetKey) : []);
  // Until its partitions are claimed, a step has marked nothing (and fails nothing on the way out).
  let claimed = false;
  try {
    const prepared = new Map<string, { watermark: number; inputs: InputVersions }>();
    const watermark = await claimStep(members, {
      runId,
      storage,
      definitions,
      signal,
      sleep,
      onWait: (holder, message) =>
        emit(stepEvent(step, "STEP_WAITING", "info", message, { heldBy: holder.runId })),
    });
    claimed = true;
    for (const m of members) {
      prepared.set(m.assetKey, { watermark, inputs: await readInputVersions(m, options, now()) });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await callUserCode(step, attempt, options, signal);
        let failures = 0;
        let firstFailure: string | undefined;
        for (const m of members) {
          const outcome = outcomes.get(m.assetKey);
          const p = prepared.get(m.assetKey)!;
          if (outcome?.ok) {
            const asset = definitions.get(m.assetKey);
            // Members reading other members of the same call read what that call just built.
            const readsSibling = definitions.deps(m.assetKey).some((d) => siblings.has(d.asset));
            const inputs = readsSibling ? await readInputVersions(m, options, now()) : p.inputs;
            const written = await recordSuccess(
              m,
              asset,
              outcome.result,
              inputs,
              p.watermark,
              options,
              now(),
              siblings,
            );
            pending.delete(m.assetKey);
            await recordChecks(m, outcome.result?.checks ?? [], options);
            emit(
              memberEvent(step, m, "MATERIALIZATION", "info", `Materialized ${memberLabel(m)}`, {
                partitions: written,
                metadata: outcome.result?.metadata ?? {},
              }),
            );
          } else {
            failures++;
            const cause = outcome
              ? outcome.error
              : new Error("the runner reported nothing for this asset");
            firstFailure ??= `${memberLabel(m)}: ${describeFailure(cause)}`;
            await storage.markFailed(runId, m.assetKey, m.partitions);
            pending.delete(m.assetKey);
            emit(
              memberEvent(
                step,
                m,
                "LOG",
                "error",
                `Failed ${memberLabel(m)}: ${describeFailure(cause)}`,
                {
                  error: serializeError(cause),
                },
              ),
            );
          }
        }
        const ms = Math.round(performance.now() - started);
        if (failures > 0) {
          emit(
            stepEvent(
              step,
              "STEP_FAILURE",
              "error",
              `Failed ${step.key}: ${failures} of ${members.length} asset(s) failed`,
              {
                cancelled: false,
                durationMs: ms,
              },
            ),
          );
          return { ok: false, error: firstFailure ?? `${failures} asset(s) failed` };
        }
        emit(
          stepEvent(step, "STEP_SUCCESS", "info", `Succeeded ${step.key} in ${ms} ms`, {
            durationMs: ms,
          }),
        );
        return { ok: true };
      } catch (error) {
        const retriesLeft = policy.maxRetries - (attempt - 1);
        // Bad data, a missing file, an unmarked error…: the next attempt would fail the same way.
        const retryable = error instanceof UserCodeError && isTransient(error.cause);
        if (signal.aborted || retriesLeft <= 0 || !retryable) throw error;
        const delay = retryDelay(policy, attempt);
        emit(
          stepEvent(
            step,
            "STEP_RETRY",
            "warn",
            `Attempt ${attempt} failed, retrying in ${delay} ms: ${describeFailure(error.cause)}`,
            { attempt, delayMs: delay, error: serializeError(error.cause) },
          ),
        );
        await sleep(delay, signal);
        if (signal.aborted) throw error;
      }
    }
  } catch (error) {
    const cancelled = signal.aborted;
    for (const m of members) {
      if (claimed && pending.has(m.assetKey))
        await storage.markFailed(runId, m.assetKey, m.partitions).catch(() => undefined);
    }
    const cause = error instanceof UserCodeError ? error.cause : error;
    emit(
      stepEvent(
        step,
        "STEP_FAILURE",
        "error",
        cancelled ? `Cancelled ${step.key}` : `Failed ${step.key}: ${describeFailure(cause)}`,
        { error: serializeError(cause), cancelled },
      ),
    );
    return { ok: false, error: cancelled ? "cancelled" : describeFailure(cause) };
  }
}

/**
 * The one boundary around user code: an asset's `materialize`, or a runner for a group of
 * assets. Whatever it throws becomes a UserCodeError (with the cause kept).
 */
async function callUserCode(
  step: PlanStep,
  attempt: number,
  options: ExecuteOptions,
  signal: AbortSignal,
): Promise<Map<string, MemberOutcome>> {
  const members = stepMembers(step);
  const first = options.definitions.get(members[0]!.assetKey);
  const runner = first.runner;
  try {
    signal.throwIfAborted();
    if (runner) {
      const ctx: GroupMaterializeContext<unknown> = {
        runId: options.runId,
        attempt,
        members: members.map((m) => ({
          assetKey: m.assetKey,
          partitionKeys: m.partitionKeys,
          partitionKeyRange: keyRange(m.partitionKeys),
        })),
        log: stepLogger(step, options.emit),
        logFor: (assetKey) => {
          const m = members.find((x) => x.assetKey === assetKey);
          return m ? memberLogger(step, m, options.emit) : stepLogger(step, options.emit);
        },
        signal,
        resources: options.resources,
      };
      const results = await runner.run(ctx);
      return new Map(
        members.map((m): [string, MemberOutcome] => {
          const r = results[m.assetKey];
          if (!r)
            return [
              m.assetKey,
              { ok: false, error: new Error(`${runner.key} reported nothing for ${m.assetKey}`) },
            ];
          return [
            m.assetKey,
            r.ok
              ? {
                  ok: true,
                  result: {
                    ...(r.metadata ? { metadata: r.metadata } : {}),
                    ...(r.dataVersion ? { dataVersion: r.dataVersion } : {}),
                    ...(r.checks ? { checks: r.checks } : {}),
                  },
                }
              : { ok: false, error: r.error },
          ];
        }),
      );
    }
    const def = first.partitions;
    const lo = step.partitions.first;
    const hi = step.partitions.last;
    const keys = step.partitionKeys;
    const ctx: MaterializeContext<unknown> = {
      assetKey: first.key,
      runId: options.runId,
      attempt,
      partitionKey: keys.length === 1 ? keys[0] : undefined,
      partitionKeys: keys,
      partitionKeyRange: keyRange(keys),
      partitionTimeWindow:
        def?.kind === "daily" && lo !== undefined && hi !== undefined
          ? { start: partitionTimeWindow(def, lo).start, end: partitionTimeWindow(def, hi).end }
          : undefined,
      log: stepLogger(step, options.emit),
      signal,
      resources: options.resources,
      runTags: options.tags ?? {},
    };
    const result = await first.materialize!(ctx);
    return new Map([[first.key, { ok: true, result }]]);
  } catch (error) {
    throw new UserCodeError(first.key, error);
  }
}

async function recordChecks(
  m: StepMember,
  checks: readonly AssetCheckResult[],
  options: ExecuteOptions,
): Promise<void> {
  for (const c of checks) {
    await options.storage.recordCheckResult({
      runId: options.runId,
      assetKey: m.assetKey,
      checkName: c.name,
      passed: c.passed,
      severity: c.severity,
      ...(c.description !== undefined ? { description: c.description } : {}),
      ...(c.metadata ? { metadata: { ...c.metadata } } : {}),
    });
  }
}

function keyRange(keys: readonly string[]): { start: string; end: string } | undefined {
  return keys.length > 0 ? { start: keys[0]!, end: keys[keys.length - 1]! } : undefined;
}

function memberLabel(m: StepMember): string {
  const keys = m.partitionKeys;
  if (keys.length === 0) return m.assetKey;
  return keys.length === 1
    ? `${m.assetKey}[${keys[0]}]`
    : `${m.assetKey}[${keys[0]}…${keys[keys.length - 1]}]`;
}

type InputVersions = Map<number, Record<string, string>>;

/** For each partition of the step, the version of every upstream slice it reads. */
async function readInputVersions(
  step: StepMember,
  options: ExecuteOptions,
  now: Date,
): Promise<InputVersions> {
  const { definitions, storage } = options;
  const out: InputVersions = new Map([...step.partitions].map((i) => [i, {}]));
  for (const dep of definitions.deps(step.assetKey)) {
    const upDef = definitions.get(dep.asset).partitions;
    if (dep.mapping.kind === "all") {
      const digest = await storage.getDigest(dep.asset);
      const v = digest ? `digest:${digest.digest}:${digest.partitionCount}` : "missing";
      for (const rec of out.values()) rec[dep.asset] = v;
      continue;
    }
    const needed = upstreamPartitionsFor(dep.mapping, step.partitions, upDef, now);
    const versions = await storage.getDataVersions(dep.asset, needed);
    for (const [i, rec] of out) {
      const window = upstreamPartitionsFor(dep.mapping, IntervalSet.single(i), upDef, now);
      rec[dep.asset] = [...window].map((u) => versions.get(u) ?? "missing").join("|");
    }
  }
  return out;
}

async function recordSuccess(
  step: StepMember,
  asset: AssetDefinition<unknown>,
  result: MaterializeResult | void,
  inputs: InputVersions,
  watermark: number,
  options: ExecuteOptions,
  now: Date,
  /** Other assets built by the same call: they are read as built, not as a concurrent change. */
  siblings: ReadonlySet<string> = new Set(),
): Promise<number> {
  const { definitions, storage } = options;
  const dataVersion = result?.dataVersion ?? randomUUID();
  const partitions: MaterializedPartition[] = [...step.partitions].map((i) => ({
    key: asset.partitions ? partitionKey(asset.partitions, i) : "",
    index: i,
    dataVersion,
    inputVersions: inputs.get(i) ?? {},
  }));
  await storage.recordMaterialization({
    runId: options.runId,
    assetKey: asset.key,
    codeVersion: asset.codeVersion,
    depsSignature: definitions.depsSignature(asset.key),
    partitions,
    metadata: { ...(result?.metadata ?? {}) },
    invalidates: definitions.dependents(asset.key).map((d) => ({
      assetKey: d.asset,
      partitions: downstreamPartitionsFor(
        d.mapping,
        step.partitions,
        definitions.get(d.asset).partitions,
        now,
      ),
    })),
    readSince: {
      watermark,
      upstream: definitions
        .deps(asset.key)
        .filter((d) => !siblings.has(d.asset))
        .map((d) => ({
          assetKey: d.asset,
          partitions:
            d.mapping.kind === "all"
              ? ("all" as const)
              : upstreamPartitionsFor(
                  d.mapping,
                  step.partitions,
                  definitions.get(d.asset).partitions,
                  now,
                ),
        })),
    },
  });
  return partitions.length;
}

function memberLogger(step: PlanStep, m: StepMember, emit: (e: RunEvent) => void): Logger {
  const log =
    (level: EventLevel) =>
    (message: string): void =>
      emit(memberEvent(step, m, "LOG", level, String(message)));
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** An event about one member of a step (its asset and partitions). */
function memberEvent(
  step: PlanStep,
  m: StepMember,
  type: RunEvent["type"],
  level: EventLevel,
  message: string,
  data?: Record<string, unknown>,
): RunEvent {
  return stepEvent(
    { ...step, assetKey: m.assetKey, partitions: m.partitions, partitionKeys: m.partitionKeys },
    type,
    level,
    message,
    data,
  );
}

function stepLogger(step: PlanStep, emit: (e: RunEvent) => void): Logger {
  const log =
    (level: EventLevel) =>
    (message: string): void =>
      emit(stepEvent(step, "LOG", level, String(message)));
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

function stepEvent(
  step: PlanStep,
  type: RunEvent["type"],
  level: EventLevel,
  message: string,
  data?: Record<string, unknown>,
): RunEvent {
  const keys = step.partitionKeys;
  const partitionKeyText =
    keys.length === 0
      ? undefined
      : keys.length === 1
        ? keys[0]
        : `${keys[0]}…${keys[keys.length - 1]}`;
  return {
    type,
    level,
    message,
    stepKey: step.key,
    assetKey: step.assetKey,
    ...(partitionKeyText !== undefined ? { partitionKey: partitionKeyText } : {}),
    ...(data !== undefined ? { data } : {}),
    timestamp: new Date(),
  };
}
