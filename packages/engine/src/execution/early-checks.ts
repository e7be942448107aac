import { stepMembers, type PlanStep } from "../planning/plan";
import type { CheckResultInput } from "../storage/storage";
import { evaluateDefinedChecks } from "./evaluate-checks";
import type { ExecuteOptions } from "./executor";

/**
 * The checks of a group step's members, evaluated as soon as every member's data is committed
 * (the runner's `ctx.committed`) rather than once the runner returns: beside what it still does
 * (dbt's tests), which only reads that data. Per attempt: what an attempt that then failed
 * started is cancelled and dropped, and the next attempt starts again; `stop` cancels what the
 * step no longer awaits (it failed, or a member did). Nothing is recorded here; the step records
 * the results with each member's materialisation (`evaluateMemberChecks`).
 */
export class EarlyChecks {
  private attempt = 0;
  private committed = new Set<string>();
  private started = new Map<string, Promise<CheckResultInput[]>>();
  /** Made when checks start: most steps start none, and an abort costs a stack trace. */
  private cancel: AbortController | undefined;

  constructor(
    private readonly step: PlanStep,
    private readonly options: ExecuteOptions,
    private readonly signal: AbortSignal,
  ) {}

  /** A new attempt of the runner; returns the `ctx.committed` to give it. */
  begin(attempt: number): (assetKey: string) => void {
    this.stop();
    this.attempt = attempt;
    this.committed = new Set();
    this.started = new Map();
    return (assetKey) => this.onCommitted(attempt, assetKey);
  }

  /** The member's checks, started by the last attempt; undefined when they were not. */
  of(assetKey: string): Promise<CheckResultInput[]> | undefined {
    return this.started.get(assetKey);
  }

  /** Cancels the evaluations still running (once the step has taken what it records). */
  stop(): void {
    this.cancel?.abort();
    this.cancel = undefined;
  }

  private onCommitted(attempt: number, assetKey: string): void {
    if (attempt !== this.attempt || this.started.size > 0) return;
    const members = stepMembers(this.step);
    if (!members.some((m) => m.assetKey === assetKey)) return;
    this.committed.add(assetKey);
    if (this.committed.size < members.length) return;
    this.cancel = new AbortController();
    const signal = AbortSignal.any([this.signal, this.cancel.signal]);
    for (const m of members) {
      const evaluation = evaluateDefinedChecks(this.step, m, this.options, signal);
      // Awaited, and its failure seen, when the member is recorded; else cancelled and dropped.
      evaluation.catch(() => undefined);
      this.started.set(m.assetKey, evaluation);
    }
  }
}
