import type { AssetCheckResult } from "../definitions/asset";
import type { CheckDefinition, CheckEvaluation } from "../definitions/check";
import { timeWindowOf } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";
import type { PlanStep, StepMember } from "../planning/plan";
import type { CheckResultInput } from "../storage/storage";
import { mapLimit } from "../util/map-limit";
import { describeFailure } from "./events";
import type { ExecuteOptions } from "./executor";
import { memberEvent, memberLogger } from "./step-events";

/** Check evaluations of one member in flight at once. */
const CHECK_CONCURRENCY = 4;

/** An `error` check that failed on some partitions of an asset: what is downstream is held. */
export interface CheckHold {
  readonly assetKey: string;
  readonly checkName: string;
  readonly partitions: IntervalSet;
  /** Their keys (empty for an unpartitioned asset). */
  readonly keys: readonly string[];
  readonly description: string | null;
}

/**
 * Evaluates the enabled checks of one materialised member, once per partition (once for an
 * unpartitioned asset), up to `CHECK_CONCURRENCY` at once, through the same kind of boundary
 * as `materialize`: what `evaluate` throws or returns malformed is a failed evaluation with the
 * error as its description, never a failed step. Records them with the results the
 * materialisation reported (per partition) in one write, emits one CHECK_EVALUATION event per
 * result, and returns the failed `error` checks.
 *
 * A result the materialisation reports under the name of a check `defineCheck` declared stands
 * in for that check's evaluation on the partitions it covers (the materialisation checked the
 * data as it wrote it); it is recorded with the declared check's severity. `evaluate` still
 * runs for the other partitions, and in checks-only runs (`lignee check`).
 */
export async function evaluateMemberChecks(
  step: PlanStep,
  m: StepMember,
  reported: readonly AssetCheckResult[],
  options: ExecuteOptions,
  signal: AbortSignal,
  /** `evaluateDefinedChecks`' results when they were started earlier (see `ctx.committed`). */
  started?: Promise<CheckResultInput[]>,
): Promise<CheckHold[]> {
  const defined = options.definitions.checksOf(m.assetKey);
  if (defined.length === 0 && reported.length === 0) return [];
  const disabled = (await disabledChecks(options)).get(m.assetKey) ?? new Set<string>();
  const slots = partitionSlots(m);
  const severityOf = new Map(defined.map((c) => [c.name, c.severity] as const));
  const standsIn = (name: string, key: string | undefined): boolean =>
    severityOf.has(name) &&
    reported.some(
      (c) => c.name === name && (c.partitionKey === undefined || c.partitionKey === key),
    );
  const evaluated = await (started ?? evaluateDefinedChecks(step, m, options, signal, standsIn));
  const results = evaluated.filter((r) => !standsIn(r.checkName, r.partitionKey));
  for (const c of reported) {
    if (disabled.has(c.name)) continue;
    const targets =
      c.partitionKey === undefined ? slots : slots.filter((s) => s.key === c.partitionKey);
    for (const slot of targets) {
      results.push({
        runId: options.runId,
        assetKey: m.assetKey,
        checkName: c.name,
        passed: c.passed,
        severity: severityOf.get(c.name) ?? c.severity,
        partitionIndex: slot.index,
        ...(slot.key !== undefined ? { partitionKey: slot.key } : {}),
        ...(c.description !== undefined ? { description: c.description } : {}),
        ...(c.metadata ? { metadata: { ...c.metadata } } : {}),
      });
    }
  }
  await options.storage.recordCheckResults(results);
  for (const r of results) options.emit(checkEvent(step, m, r));
  return holdsOf(results);
}

/**
 * Evaluates the enabled checks `defineCheck` gives `m`'s asset, once per partition, up to
 * `CHECK_CONCURRENCY` at once; records nothing (`evaluateMemberChecks` does).
 */
export async function evaluateDefinedChecks(
  step: PlanStep,
  m: StepMember,
  options: ExecuteOptions,
  signal: AbortSignal,
  /** Evaluations to leave out: the materialisation reported their result. */
  skip: (checkName: string, partitionKey: string | undefined) => boolean = () => false,
): Promise<CheckResultInput[]> {
  const defined = options.definitions.checksOf(m.assetKey);
  if (defined.length === 0) return [];
  const disabled = (await disabledChecks(options)).get(m.assetKey) ?? new Set<string>();
  const evaluations: (() => Promise<CheckResultInput>)[] = [];
  for (const check of defined) {
    if (disabled.has(check.name)) continue;
    for (const slot of partitionSlots(m)) {
      if (skip(check.name, slot.key)) continue;
      evaluations.push(() => {
        signal.throwIfAborted();
        return evaluateOne(step, check, m, slot, options, signal);
      });
    }
  }
  // Concurrently: a check mostly waits on a query, and the next step waits on all of them.
  return mapLimit(evaluations, CHECK_CONCURRENCY);
}

const switchesOfRun = new WeakMap<ExecuteOptions, Promise<Map<string, Set<string>>>>();

/**
 * The checks switched off, per asset, read once per run (a switch flipped during a run counts
 * from the next one; storage still drops the results of a check switched off meanwhile).
 */
function disabledChecks(options: ExecuteOptions): Promise<Map<string, Set<string>>> {
  let read = switchesOfRun.get(options);
  if (!read) {
    read = options.storage.checkSwitches().then((switches) => {
      const out = new Map<string, Set<string>>();
      for (const s of switches) {
        if (s.enabled) continue;
        const set = out.get(s.assetKey) ?? new Set<string>();
        set.add(s.checkName);
        out.set(s.assetKey, set);
      }
      return out;
    });
    switchesOfRun.set(options, read);
  }
  return read;
}

interface Slot {
  readonly index: number;
  readonly key: string | undefined;
}

function partitionSlots(m: StepMember): Slot[] {
  if (m.partitionKeys.length === 0) return [{ index: m.partitions.first ?? 0, key: undefined }];
  return [...m.partitions].map((index, i) => ({ index, key: m.partitionKeys[i] }));
}

async function evaluateOne(
  step: PlanStep,
  check: CheckDefinition<unknown>,
  m: StepMember,
  slot: Slot,
  options: ExecuteOptions,
  signal: AbortSignal,
): Promise<CheckResultInput> {
  const def = options.definitions.get(m.assetKey).partitions;
  const started = performance.now();
  let evaluation: CheckEvaluation;
  try {
    const value = await check.evaluate({
      assetKey: m.assetKey,
      checkName: check.name,
      runId: options.runId,
      partitionKey: slot.key,
      partitionTimeWindow: timeWindowOf(def, slot.index),
      log: memberLogger(step, slotMember(m, slot.index, slot.key), options.emit),
      signal,
      resources: options.resources,
    });
    evaluation = validEvaluation(value);
  } catch (error) {
    evaluation = { passed: false, description: `evaluate threw: ${describeFailure(error)}` };
  }
  return {
    runId: options.runId,
    assetKey: m.assetKey,
    checkName: check.name,
    passed: evaluation.passed,
    severity: check.severity,
    partitionIndex: slot.index,
    durationMs: Math.round(performance.now() - started),
    ...(slot.key !== undefined ? { partitionKey: slot.key } : {}),
    ...(evaluation.description !== undefined ? { description: evaluation.description } : {}),
    ...(evaluation.metadata ? { metadata: { ...evaluation.metadata } } : {}),
  };
}

function validEvaluation(value: unknown): CheckEvaluation {
  const v = value as Partial<CheckEvaluation> | null | undefined;
  if (typeof v !== "object" || v === null || typeof v.passed !== "boolean")
    return { passed: false, description: "evaluate returned no { passed: boolean }" };
  return v as CheckEvaluation;
}

function checkEvent(step: PlanStep, m: StepMember, r: CheckResultInput) {
  const where = r.partitionKey ? `${m.assetKey}[${r.partitionKey}]` : m.assetKey;
  const outcome = r.passed ? "passed" : `failed (${r.severity})`;
  return memberEvent(
    step,
    slotMember(m, r.partitionIndex ?? 0, r.partitionKey),
    "CHECK_EVALUATION",
    r.passed ? "info" : r.severity === "error" ? "error" : "warn",
    `Check ${r.checkName} ${outcome} on ${where}${r.description ? `: ${r.description}` : ""}`,
    {
      check: r.checkName,
      passed: r.passed,
      severity: r.severity,
      ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
      metadata: r.metadata ?? {},
    },
  );
}

/** The member narrowed to one partition (for its events). */
function slotMember(m: StepMember, index: number, key: string | undefined): StepMember {
  return {
    assetKey: m.assetKey,
    partitions: IntervalSet.single(index),
    partitionKeys: key !== undefined ? [key] : [],
  };
}

/** The failed `error` results, one hold per (asset, check). */
function holdsOf(results: readonly CheckResultInput[]): CheckHold[] {
  const out = new Map<string, { r: CheckResultInput; indices: number[]; keys: string[] }>();
  for (const r of results) {
    if (r.passed || r.severity !== "error") continue;
    const id = `${r.assetKey}\u0000${r.checkName}`;
    const entry = out.get(id) ?? { r, indices: [], keys: [] };
    entry.indices.push(r.partitionIndex ?? 0);
    if (r.partitionKey) entry.keys.push(r.partitionKey);
    out.set(id, entry);
  }
  return [...out.values()].map(({ r, indices, keys }) => ({
    assetKey: r.assetKey,
    checkName: r.checkName,
    partitions: IntervalSet.fromIndices(indices),
    keys,
    description: r.description ?? null,
  }));
}
