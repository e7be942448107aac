import type { Definitions } from "../definitions/definitions";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { describeError } from "../errors";
import type { Storage } from "../storage/storage";
import type { AutomationContext } from "./automation-context";
import type { AutomationStore, ScheduleTick } from "./automation-store";
import { parseCron, type CronSchedule } from "../definitions/cron";
import { DEFAULT_CATCH_UP_WINDOW_MS } from "./due-ticks";
import { evaluateEager, type EagerOutcome } from "./eager-evaluator";
import { evaluateSchedule, type ScheduleOutcome } from "./schedule-evaluator";
import { evaluateSensor, type SensorOutcome } from "./sensor-evaluator";
import type { BackfillStore } from "../backfill/backfill-store";
import { resumeInterruptedBackfills } from "../backfill/launch-backfill";
import type { FreshnessStore } from "../storage/freshness/freshness-store";
import { evaluateFreshnessPolicies, type FreshnessOutcome } from "./freshness-evaluator";
import { PendingChanges } from "./pending-changes";

/** How often the scheduler evaluates sensors and eager automation: 5 s. */
export const DEFAULT_SCHEDULER_INTERVAL_MS = 5_000;

/**
 * How long the scheduler gathers announced changes before evaluating eager automation: the
 * steps of a backfill committing together make one evaluation, not one each.
 */
export const DEFAULT_CHANGE_DEBOUNCE_MS = 50;

/**
 * The least time between the end of one evaluation and an evaluation of eager automation that
 * a change asked for (at least as long as that evaluation took, too): a stream of changes keeps
 * the scheduler busy half of the time at most.
 */
const MIN_EAGER_GAP_MS = 250;

export interface SchedulerOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Pick<
    Storage,
    | "getAssetSummaries"
    | "listMaterializations"
    | "lastMaterializedAt"
    | "readDynamicPartitions"
    | "addDynamicPartitions"
    | "removeDynamicPartitions"
    | "applyDynamicPartitionsChanges"
  >;
  readonly store: AutomationStore;
  /**
   * When set, each evaluation also evaluates the assets' freshness policies and records their
   * transitions (overdue, recovered) with their alert events; the loop also wakes up at each
   * deadline.
   */
  readonly freshness?: FreshnessStore;
  /** Time between evaluations (schedule ticks do not wait for it: they fire on time). */
  readonly intervalMs?: number;
  /**
   * Whether `run` also evaluates eager automation as soon as a materialisation or a run's end
   * is committed, when the store can announce them (`AutomationStore.watchChanges`); default
   * true. Schedules and sensors keep their own timing either way.
   */
  readonly watchChanges?: boolean;
  /** See `DEFAULT_CHANGE_DEBOUNCE_MS` (50 ms). */
  readonly changeDebounceMs?: number;
  /** Missed ticks older than this are skipped (default 7 days). */
  readonly catchUpWindowMs?: number;
  /** Tries of each queued run when its worker dies, the first included (default 1). */
  readonly maxAttempts?: number;
  /** Injectable for tests. */
  readonly clock?: () => Date;
  readonly log?: (message: string) => void;
  /** See `ScheduleEvaluationOptions.afterTickRecorded`. */
  readonly afterTickRecorded?: (tick: ScheduleTick) => void | Promise<void>;
  /**
   * When set, each evaluation also finishes the backfills whose creation was interrupted (a
   * process died while queueing their runs), as a server does when it starts.
   */
  readonly backfills?: BackfillStore;
  /** How long a backfill creation must have been idle to count as interrupted (default 60 s). */
  readonly backfillIdleMs?: number;
  /** Called after each evaluation that met no error (storage reachable…): liveness. */
  readonly onAlive?: () => void;
  /** Sees each evaluation of the loop and how long it took (metrics). */
  readonly onEvaluated?: (report: SchedulerReport, durationMs: number) => void;
}

export interface SchedulerReport {
  /**
   * `interval`: an evaluation of everything (at the interval, a schedule's tick or a deadline);
   * `change`: of eager automation alone, after a change was announced.
   */
  readonly trigger: "interval" | "change";
  readonly schedules: readonly ScheduleOutcome[];
  readonly sensors: readonly SensorOutcome[];
  /** Undefined when no asset has eager automation. */
  readonly eager: EagerOutcome | undefined;
  /** Backfills whose interrupted creation this evaluation finished. */
  readonly resumedBackfills: readonly string[];
  /** Undefined when no freshness store was given. */
  readonly freshness: FreshnessOutcome | undefined;
  /** What failed to evaluate (a storage error…), by schedule, sensor or `eager`. */
  readonly errors: readonly string[];
}

/**
 * Evaluates the schedules, sensors and eager automation of a set of definitions, once
 * (`evaluate`) or in a loop until stopped (`run`). Any number of schedulers may run against the
 * same database: schedule ticks are unique per (schedule, instant), sensor cursors move by
 * compare-and-set, and automation's runs have name-based ids, so nothing is queued twice.
 *
 * @example
 * const scheduler = new Scheduler({ definitions, storage, store });
 * await scheduler.evaluate(new Date("2025-03-30T00:00:00Z")); // tests: any instant
 * await scheduler.run(controller.signal);                     // until aborted
 */
export class Scheduler {
  private readonly ctx: AutomationContext;
  private readonly intervalMs: number;
  private readonly clock: () => Date;
  private readonly sensorRuns = new Map<string, number>();
  private readonly eagerSkip: { signature: string | undefined } = { signature: undefined };
  private enabledSchedules = new Set<string>();
  /** The deadlines of the assets' freshness policies: the loop wakes up at each. */
  private readonly deadlines: CronSchedule[];

  constructor(private readonly options: SchedulerOptions) {
    this.ctx = {
      definitions: options.definitions,
      storage: options.storage,
      store: options.store,
      maxAttempts: options.maxAttempts ?? 1,
      log: options.log ?? ((m) => console.error(m)),
    };
    this.intervalMs = Math.max(10, options.intervalMs ?? DEFAULT_SCHEDULER_INTERVAL_MS);
    this.clock = options.clock ?? (() => new Date());
    this.enabledSchedules = new Set(options.definitions.allSchedules.map((s) => s.name));
    this.deadlines = options.definitions.assets.flatMap((a) => {
      const policy = options.definitions.freshnessPolicy(a.key);
      return policy?.kind === "deadline" ? [parseCron(policy.deadline, policy.timezone)] : [];
    });
  }

  /** One evaluation of everything at `now`. Errors are reported per item, never thrown. */
  async evaluate(
    now: Date = this.clock(),
    signal: AbortSignal = new AbortController().signal,
  ): Promise<SchedulerReport> {
    const { definitions } = this.options;
    const errors: string[] = [];
    const schedules: ScheduleOutcome[] = [];
    for (const schedule of definitions.allSchedules) {
      try {
        const outcome = await evaluateSchedule(this.ctx, schedule, now, {
          catchUpWindowMs: this.options.catchUpWindowMs ?? DEFAULT_CATCH_UP_WINDOW_MS,
          ...(this.options.afterTickRecorded
            ? { afterTickRecorded: this.options.afterTickRecorded }
            : {}),
        });
        schedules.push(outcome);
        if (outcome.enabled) this.enabledSchedules.add(schedule.name);
        else this.enabledSchedules.delete(schedule.name);
      } catch (error) {
        errors.push(this.report(`schedule ${schedule.name}`, error));
      }
    }
    const sensors: SensorOutcome[] = [];
    for (const sensor of definitions.sensors) {
      if (signal.aborted) break;
      const last = this.sensorRuns.get(sensor.name);
      if (last !== undefined && now.getTime() - last < sensor.intervalMs) continue;
      try {
        // Two schedulers never evaluate the same sensor at once (one skips this round).
        const outcome = await this.options.store.exclusively(`sensor ${sensor.name}`, () =>
          evaluateSensor(this.ctx, sensor, now, signal),
        );
        if (outcome === undefined) continue;
        sensors.push(outcome);
        this.sensorRuns.set(sensor.name, now.getTime());
      } catch (error) {
        errors.push(this.report(`sensor ${sensor.name}`, error));
      }
    }
    // Nor eager automation: both could otherwise see the same chain as not yet requested.
    const eager = await this.evaluateEagerExclusively(now, signal, errors);
    let resumedBackfills: string[] = [];
    if (this.options.backfills && !signal.aborted) {
      try {
        const loaded = await loadDynamicPartitions(definitions, this.options.storage);
        resumedBackfills = await resumeInterruptedBackfills(loaded, this.options.backfills, {
          now,
          ...(this.options.backfillIdleMs !== undefined
            ? { idleMs: this.options.backfillIdleMs }
            : {}),
          ...(this.options.maxAttempts !== undefined
            ? { maxAttempts: this.options.maxAttempts }
            : {}),
          log: (m) => this.ctx.log(`scheduler: ${m}`),
        });
        for (const id of resumedBackfills)
          this.ctx.log(`scheduler: backfill ${id}: interrupted creation resumed`);
      } catch (error) {
        errors.push(this.report("backfills", error));
      }
    }
    let freshness: FreshnessOutcome | undefined;
    if (this.options.freshness && !signal.aborted) {
      try {
        freshness = await evaluateFreshnessPolicies(
          definitions,
          this.options.storage,
          this.options.freshness,
          now,
        );
        for (const t of freshness.transitions)
          if (t.kind !== "moved")
            this.ctx.log(`scheduler: freshness: ${t.target.assetKey} ${t.kind}`);
      } catch (error) {
        errors.push(this.report("freshness", error));
      }
    }
    return {
      trigger: "interval",
      schedules,
      sensors,
      eager,
      resumedBackfills,
      freshness,
      errors,
    };
  }

  /** Eager automation under the store's "eager" lock; an error is reported into `errors`. */
  private async evaluateEagerExclusively(
    now: Date,
    signal: AbortSignal,
    errors: string[],
  ): Promise<EagerOutcome | undefined> {
    if (signal.aborted) return undefined;
    try {
      return await this.options.store.exclusively("eager", () =>
        evaluateEager(this.ctx, now, this.eagerSkip),
      );
    } catch (error) {
      errors.push(this.report("eager", error));
      return undefined;
    }
  }

  /** Eager automation alone at `now` (after a change was announced). Never throws. */
  async evaluateEagerAutomation(
    now: Date = this.clock(),
    signal: AbortSignal = new AbortController().signal,
  ): Promise<SchedulerReport> {
    const errors: string[] = [];
    const eager = await this.evaluateEagerExclusively(now, signal, errors);
    const none = { schedules: [], sensors: [], resumedBackfills: [], freshness: undefined };
    return { trigger: "change", ...none, eager, errors };
  }

  /**
   * When the loop should evaluate next: the next tick of an enabled schedule if it comes before
   * `now + interval`, so that ticks fire on time rather than up to an interval late.
   */
  nextWakeUp(now: Date): Date {
    let wake = now.getTime() + this.intervalMs;
    for (const schedule of this.options.definitions.allSchedules) {
      if (!this.enabledSchedules.has(schedule.name)) continue;
      const next = parseCron(schedule.cron, schedule.timezone).next(now);
      if (next && next.getTime() < wake) wake = next.getTime();
    }
    if (this.options.freshness) {
      for (const cron of this.deadlines) {
        const next = cron.next(now);
        if (next && next.getTime() < wake) wake = next.getTime();
      }
    }
    return new Date(wake);
  }

  /**
   * Evaluates until `signal` aborts; an evaluation in progress finishes first. Everything is
   * evaluated at the interval (and at schedule ticks and freshness deadlines); in between,
   * eager automation alone is evaluated soon after a change is announced. Announcements can be
   * lost (a dropped connection): the interval evaluations still see everything.
   */
  async run(signal: AbortSignal): Promise<void> {
    const changes = new PendingChanges(
      Math.max(0, this.options.changeDebounceMs ?? DEFAULT_CHANGE_DEBOUNCE_MS),
    );
    const watch =
      this.options.watchChanges !== false && this.options.definitions.eagerAssets.length > 0
        ? this.options.store.watchChanges?.(() => changes.note(), this.ctx.log)
        : undefined;
    try {
      let fullAt = performance.now();
      let eagerFrom = 0;
      while (!signal.aborted) {
        if (performance.now() >= fullAt) {
          // This evaluation sees the changes announced so far.
          changes.clear();
          await this.runOnce(() => this.evaluate(this.clock(), signal));
          eagerFrom = performance.now() + MIN_EAGER_GAP_MS;
          const now = this.clock();
          fullAt = performance.now() + Math.max(0, this.nextWakeUp(now).getTime() - now.getTime());
        } else if (
          changes.dueAt !== undefined &&
          performance.now() >= Math.max(changes.dueAt, eagerFrom)
        ) {
          changes.clear();
          const ms = await this.runOnce(() => this.evaluateEagerAutomation(this.clock(), signal));
          eagerFrom = performance.now() + Math.max(MIN_EAGER_GAP_MS, ms);
        }
        const eagerAt = changes.dueAt === undefined ? Infinity : Math.max(changes.dueAt, eagerFrom);
        await changes.wait(Math.max(0, Math.min(fullAt, eagerAt) - performance.now()), signal);
      }
    } finally {
      await watch?.stop();
    }
  }

  /** One evaluation, reported; resolves to how long it took (ms). */
  private async runOnce(evaluation: () => Promise<SchedulerReport>): Promise<number> {
    const started = performance.now();
    const report = await evaluation();
    const ms = performance.now() - started;
    this.options.onEvaluated?.(report, ms);
    if (report.errors.length === 0) this.options.onAlive?.();
    return ms;
  }

  private report(what: string, error: unknown): string {
    const line = `${what}: ${describeError(error)}`;
    this.ctx.log(`scheduler: ${line}`);
    return line;
  }
}

/**
 * Runs a scheduler in this process until `signal` aborts (`lignee scheduler`, or `lignee dev`
 * next to the server and a worker).
 *
 * @example
 * const controller = new AbortController();
 * const done = runScheduler({ definitions, storage, store, signal: controller.signal });
 * // … later
 * controller.abort();
 * await done;
 */
export function runScheduler(options: SchedulerOptions & { signal: AbortSignal }): Promise<void> {
  return new Scheduler(options).run(options.signal);
}
