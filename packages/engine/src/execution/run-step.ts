import { partitionsLayout } from "../partitions/layout";
import { createHash, randomUUID } from "node:crypto";
import type { AssetDefinition, MaterializeResult } from "../definitions/asset";
import { UserCodeError } from "../errors";
import { partitionKey } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import { downstreamPartitionsFor, upstreamPartitionsFor } from "../partitions/mapping";
import { stepMembers, type PlanStep, type StepMember } from "../planning/plan";
import type { ClaimedInputs, InputRead, MaterializedPartition } from "../storage/storage";
import { abortableSleep } from "./abortable-sleep";
import { claimStep } from "./claim-step";
import { EarlyChecks } from "./early-checks";
import { isTransient } from "./error-class";
import { evaluateMemberChecks, type CheckHold } from "./evaluate-checks";
import { describeFailure, serializeError } from "./events";
import type { ExecuteOptions } from "./executor";
import { retry, type RetryOptions } from "./retry";
import { memberEvent, memberLabel, stepEvent } from "./step-events";
import { callUserCode, type MemberOutcome } from "./user-code";

/** How `runStep` ended: a failed step says why, for the run's error. */
export type StepEnd =
  | { readonly ok: true; readonly holds: readonly CheckHold[] }
  | { readonly ok: false; readonly error: string };

/** What a step read before calling user code: the claim's watermark and each member's inputs. */
interface Prepared {
  readonly watermark: number;
  readonly inputs: ReadonlyMap<string, InputVersions>;
}

/** The members that failed, and the first one's reason (for the run's error). */
interface Failures {
  count: number;
  first: string | undefined;
  /** The `error` checks that failed on what the step materialised. */
  holds: CheckHold[];
}

/**
 * Runs one step: claims its partitions, reads its inputs, calls user code (retried per the
 * asset's policy, only for a transient error) and records each member's outcome. Resolves ok
 * when every asset of the step was materialised, else with why it failed; never rejects. A
 * group step (several assets, one runner call) records each member on its own: a member can
 * fail while the others are materialised.
 */
export async function runStep(
  step: PlanStep,
  options: ExecuteOptions,
  signal: AbortSignal,
  now: () => Date,
): Promise<StepEnd> {
  const members = stepMembers(step);
  const sleep = options.sleep ?? abortableSleep;
  const started = performance.now();
  options.emit(stepEvent(step, "STEP_START", "info", `Started ${step.key}`));
  if (step.checksOnly) return runChecksOnly(step, members, options, signal, started);
  // The members marked running and not recorded yet: a failure on the way out marks them failed.
  // Until its partitions are claimed, a step has marked nothing.
  const unrecorded = new Set<string>();
  try {
    // What the step reads upstream is read with its claim, in the snapshot of its watermark.
    const at = now();
    const { watermark, inputs } = await claimStep(members, {
      runId: options.runId,
      storage: options.storage,
      definitions: options.definitions,
      signal,
      sleep,
      reads: members.flatMap((m) => inputReads(m, options, at)),
      onWait: (holder, message) =>
        options.emit(stepEvent(step, "STEP_WAITING", "info", message, { heldBy: holder.runId })),
    });
    for (const m of members) unrecorded.add(m.assetKey);
    const prepared: Prepared = {
      watermark,
      inputs: new Map(members.map((m) => [m.assetKey, inputVersionsOf(m, options, at, inputs)])),
    };
    const early = new EarlyChecks(step, options, signal);
    try {
      const outcomes = await retry(
        (attempt) => callUserCode(step, attempt, options, signal, early.begin(attempt)),
        retryOptions(step, options, signal, sleep),
      );
      const failures = await recordOutcomes(
        step,
        outcomes,
        prepared,
        options,
        now,
        unrecorded,
        signal,
        early,
      );
      return endStep(step, members.length, failures, started, options);
    } finally {
      // What no member recorded (a failed member's, a failed step's) stops querying now.
      early.stop();
    }
  } catch (error) {
    return await failStep(step, error, unrecorded, options, signal, started);
  }
}

function retryOptions(
  step: PlanStep,
  options: ExecuteOptions,
  signal: AbortSignal,
  sleep: (ms: number, signal: AbortSignal) => Promise<void>,
): RetryOptions {
  return {
    policy: options.definitions.get(stepMembers(step)[0]!.assetKey).retryPolicy,
    signal,
    sleep,
    // Bad data, a missing file, an unmarked error…: the next attempt would fail the same way.
    isRetryable: (error) => error instanceof UserCodeError && isTransient(error.cause),
    onRetry: ({ attempt, delayMs, error }) => {
      const cause = error instanceof UserCodeError ? error.cause : error;
      options.emit(
        stepEvent(
          step,
          "STEP_RETRY",
          "warn",
          `Attempt ${attempt} failed, retrying in ${delayMs} ms: ${describeFailure(cause)}`,
          { attempt, delayMs, error: serializeError(cause) },
        ),
      );
    },
  };
}

/** Records what user code gave for each member, in order; returns the failures. */
async function recordOutcomes(
  step: PlanStep,
  outcomes: ReadonlyMap<string, MemberOutcome>,
  prepared: Prepared,
  options: ExecuteOptions,
  now: () => Date,
  unrecorded: Set<string>,
  signal: AbortSignal,
  early: EarlyChecks,
): Promise<Failures> {
  const members = stepMembers(step);
  const siblings = new Set(step.members ? members.map((m) => m.assetKey) : []);
  const failures: Failures = { count: 0, first: undefined, holds: [] };
  for (const m of members) {
    const outcome = outcomes.get(m.assetKey);
    if (outcome?.ok) {
      const holds = await recordMemberSuccess(
        step,
        m,
        outcome.result,
        prepared,
        siblings,
        options,
        now,
        unrecorded,
        signal,
        early,
      );
      failures.holds.push(...holds);
      continue;
    }
    const cause = outcome ? outcome.error : new Error("the runner reported nothing for this asset");
    failures.count++;
    failures.first ??= `${memberLabel(m)}: ${describeFailure(cause)}`;
    await options.storage.markFailed(options.runId, m.assetKey, m.partitions);
    unrecorded.delete(m.assetKey);
    options.emit(
      memberEvent(step, m, "LOG", "error", `Failed ${memberLabel(m)}: ${describeFailure(cause)}`, {
        error: serializeError(cause),
      }),
    );
  }
  return failures;
}

async function recordMemberSuccess(
  step: PlanStep,
  m: StepMember,
  result: MaterializeResult | void,
  prepared: Prepared,
  siblings: ReadonlySet<string>,
  options: ExecuteOptions,
  now: () => Date,
  unrecorded: Set<string>,
  signal: AbortSignal,
  early: EarlyChecks,
): Promise<CheckHold[]> {
  const { definitions } = options;
  const asset = definitions.get(m.assetKey);
  // Members reading other members of the same call read what that call just built.
  const readsSibling = definitions.deps(m.assetKey).some((d) => siblings.has(d.asset));
  const inputs = readsSibling
    ? await readInputVersions(m, options, now())
    : prepared.inputs.get(m.assetKey)!;
  const written = await recordSuccess(
    m,
    asset,
    result,
    inputs,
    prepared.watermark,
    options,
    now(),
    siblings,
  );
  unrecorded.delete(m.assetKey);
  options.emit(
    memberEvent(step, m, "MATERIALIZATION", "info", `Materialized ${memberLabel(m)}`, {
      partitions: written,
      metadata: result?.metadata ?? {},
    }),
  );
  // The data is written: checks look at it now, in the same run, partition by partition.
  return evaluateMemberChecks(step, m, result?.checks ?? [], options, signal, early.of(m.assetKey));
}

function endStep(
  step: PlanStep,
  memberCount: number,
  failures: Failures,
  started: number,
  options: ExecuteOptions,
): StepEnd {
  const ms = Math.round(performance.now() - started);
  if (failures.count > 0) {
    options.emit(
      stepEvent(
        step,
        "STEP_FAILURE",
        "error",
        `Failed ${step.key}: ${failures.count} of ${memberCount} asset(s) failed`,
        { cancelled: false, durationMs: ms },
      ),
    );
    return { ok: false, error: failures.first ?? `${failures.count} asset(s) failed` };
  }
  options.emit(
    stepEvent(step, "STEP_SUCCESS", "info", `Succeeded ${step.key} in ${ms} ms`, {
      durationMs: ms,
      // What the duration covered, for estimates of later runs (see recentStepDurations).
      partitionCount: Math.max(1, step.partitionKeys.length),
      assetKeys: stepMembers(step).map((m) => m.assetKey),
      // A checks-only step built nothing: not an estimate of a materialisation.
      ...(step.checksOnly ? { checksOnly: true } : {}),
    }),
  );
  return { ok: true, holds: failures.holds };
}

/**
 * A step of a checks-only run (`lignee check`): evaluates the checks of its members on their
 * partitions as stored, materialising nothing (so it claims nothing either).
 */
async function runChecksOnly(
  step: PlanStep,
  members: readonly StepMember[],
  options: ExecuteOptions,
  signal: AbortSignal,
  started: number,
): Promise<StepEnd> {
  try {
    const holds: CheckHold[] = [];
    for (const m of members)
      holds.push(...(await evaluateMemberChecks(step, m, [], options, signal)));
    return endStep(step, members.length, { count: 0, first: undefined, holds }, started, options);
  } catch (error) {
    return await failStep(step, error, new Set(), options, signal, started);
  }
}

/** The step threw (user code after its retries, storage, cancellation): one STEP_FAILURE. */
async function failStep(
  step: PlanStep,
  error: unknown,
  unrecorded: ReadonlySet<string>,
  options: ExecuteOptions,
  signal: AbortSignal,
  started: number,
): Promise<StepEnd> {
  const cancelled = signal.aborted;
  const ms = Math.round(performance.now() - started);
  for (const m of stepMembers(step)) {
    if (unrecorded.has(m.assetKey))
      await options.storage
        .markFailed(options.runId, m.assetKey, m.partitions)
        .catch(() => undefined);
  }
  const cause = error instanceof UserCodeError ? error.cause : error;
  options.emit(
    stepEvent(
      step,
      "STEP_FAILURE",
      "error",
      cancelled ? `Cancelled ${step.key}` : `Failed ${step.key}: ${describeFailure(cause)}`,
      { error: serializeError(cause), cancelled, durationMs: ms },
    ),
  );
  return { ok: false, error: cancelled ? "cancelled" : describeFailure(cause) };
}

type InputVersions = Map<number, Record<string, string>>;

/** The upstream data a member reads: the partitions of each dependency, or all of it. */
function inputReads(step: StepMember, options: ExecuteOptions, now: Date): InputRead[] {
  const { definitions } = options;
  return definitions.deps(step.assetKey).map((dep) => ({
    assetKey: dep.asset,
    partitions:
      dep.mapping.kind === "all"
        ? ("all" as const)
        : upstreamPartitionsFor(
            dep.mapping,
            step.partitions,
            definitions.get(dep.asset).partitions,
            now,
            definitions.get(step.assetKey).partitions,
          ),
  }));
}

/** For each partition of the step, the version of every upstream slice it reads. */
function inputVersionsOf(
  step: StepMember,
  options: ExecuteOptions,
  now: Date,
  stored: ClaimedInputs,
): InputVersions {
  const { definitions } = options;
  const out: InputVersions = new Map([...step.partitions].map((i) => [i, {}]));
  const downDef = definitions.get(step.assetKey).partitions;
  for (const dep of definitions.deps(step.assetKey)) {
    const upDef = definitions.get(dep.asset).partitions;
    if (dep.mapping.kind === "all") {
      const digest = stored.digests.get(dep.asset);
      const v = digest ? `digest:${digest.digest}:${digest.partitionCount}` : "missing";
      for (const rec of out.values()) rec[dep.asset] = v;
      continue;
    }
    const versions = stored.versions.get(dep.asset);
    for (const [i, rec] of out) {
      const window = upstreamPartitionsFor(dep.mapping, IntervalSet.single(i), upDef, now, downDef);
      rec[dep.asset] = windowVersion([...window].map((u) => versions?.get(u) ?? "missing"));
    }
  }
  return out;
}

/** Beyond this many upstream partitions (a month of days), a window's versions are hashed. */
const WINDOW_VERSIONS_LISTED = 31;

/**
 * The version of the upstream partitions one partition reads: their versions joined by `|`,
 * or, for a wide window (a month of hours), `window:<hash>:<count>`, so that a record stays small.
 */
function windowVersion(versions: readonly string[]): string {
  const joined = versions.join("|");
  if (versions.length <= WINDOW_VERSIONS_LISTED) return joined;
  const hash = createHash("sha256").update(joined).digest("hex").slice(0, 16);
  return `window:${hash}:${versions.length}`;
}

/** The inputs of a member read on their own (after the claim: a group's member reading another). */
async function readInputVersions(
  step: StepMember,
  options: ExecuteOptions,
  now: Date,
): Promise<InputVersions> {
  const { storage } = options;
  const versions = new Map<string, Map<number, string>>();
  const digests = new Map<string, { digest: string; partitionCount: number }>();
  for (const read of inputReads(step, options, now)) {
    if (read.partitions === "all") {
      const digest = await storage.getDigest(read.assetKey);
      if (digest) digests.set(read.assetKey, digest);
    } else {
      const of = versions.get(read.assetKey) ?? new Map<number, string>();
      for (const [i, v] of await storage.getDataVersions(read.assetKey, read.partitions))
        of.set(i, v);
      versions.set(read.assetKey, of);
    }
  }
  return inputVersionsOf(step, options, now, { versions, digests });
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
  const partitions: MaterializedPartition[] = [...step.partitions].map((i) => {
    const key = asset.partitions ? partitionKey(asset.partitions, i) : "";
    const own = result?.partitionMetadata?.[key];
    return {
      key,
      index: i,
      dataVersion,
      inputVersions: inputs.get(i) ?? {},
      ...(own ? { metadata: { ...own } } : {}),
    };
  });
  await storage.recordMaterialization({
    runId: options.runId,
    assetKey: asset.key,
    codeVersion: asset.codeVersion,
    depsSignature: definitions.depsSignature(asset.key),
    partitionsLayout: partitionsLayout(asset.partitions),
    partitions,
    metadata: { ...(result?.metadata ?? {}) },
    invalidates: definitions.dependents(asset.key).map((d) => ({
      assetKey: d.asset,
      partitions: downstreamPartitionsFor(
        d.mapping,
        step.partitions,
        definitions.get(d.asset).partitions,
        now,
        asset.partitions,
      ),
    })),
    readSince: {
      watermark,
      upstream: inputReads(step, options, now).filter((r) => !siblings.has(r.assetKey)),
    },
  });
  return partitions.length;
}
