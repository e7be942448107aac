import { describeError, isBadInput } from "../errors";
import { describePartitionRequest } from "../planning/partition-request";
import { queuedRunFor, type AutomationContext } from "./automation-context";
import type { ScheduleTick } from "./automation-store";
import { parseCron } from "../definitions/cron";
import { dueTicks } from "./due-ticks";
import { automationRunId } from "./run-id";
import type { ScheduleDefinition } from "../definitions/schedule";
import { schedulePartitionRequest } from "./schedule-partitions";
import { maintenanceQueuedRun } from "./maintenance-run";

export interface ScheduleEvaluationOptions {
  /** Ticks older than this when the scheduler gets to them are skipped. */
  readonly catchUpWindowMs: number;
  /**
   * Called once a tick is recorded, before its run is created: the moment a crash must not
   * lose or double a run (tests stop the process here).
   */
  readonly afterTickRecorded?: (tick: ScheduleTick) => void | Promise<void>;
}

export interface ScheduleOutcome {
  readonly schedule: string;
  readonly enabled: boolean;
  /** Runs this evaluation queued (or found queued already, for ticks left STARTED). */
  readonly runIds: readonly string[];
  /** Ticks recorded as SKIPPED (missed by more than the catch-up window). */
  readonly skipped: number;
  /** Ticks whose run could not be requested, with the reason. */
  readonly failed: readonly { readonly scheduledAt: Date; readonly error: string }[];
}

/** The run id of a schedule's tick: the same whoever creates it, however many times. */
export function scheduleRunId(schedule: string, scheduledAt: Date): string {
  return automationRunId(["schedule", schedule, scheduledAt.toISOString()]);
}

/**
 * Evaluates one schedule at `now`. Each tick goes through two steps: (1) the tick is recorded
 * with its run id — the primary key (schedule, scheduled time) lets one process record it —
 * then (2) its run is queued under that id (`ON CONFLICT DO NOTHING`) and the tick marked
 * SUCCESS. A process that dies between the two leaves the tick STARTED; the next evaluation,
 * in any process, does step 2 again, which finds or creates the same single run.
 *
 * Missed ticks (the scheduler was stopped) are launched once each, oldest first, within the
 * catch-up window; older ones are recorded as SKIPPED with the reason.
 */
export async function evaluateSchedule(
  ctx: AutomationContext,
  schedule: ScheduleDefinition,
  now: Date,
  options: ScheduleEvaluationOptions,
): Promise<ScheduleOutcome> {
  const { store } = ctx;
  const state = await store.ensureState("schedule", schedule.name, now.toISOString());
  const outcome = {
    schedule: schedule.name,
    enabled: state.enabled,
    runIds: [] as string[],
    skipped: 0,
    failed: [] as { scheduledAt: Date; error: string }[],
  };
  if (!state.enabled) return outcome;

  const launch = async (scheduledAt: Date, runId: string): Promise<void> => {
    const error = await launchTick(ctx, schedule, scheduledAt, runId, now);
    if (error === undefined) outcome.runIds.push(runId);
    else outcome.failed.push({ scheduledAt, error });
  };

  // Ticks left half-done by a process that died (or that another process is finishing now).
  for (const tick of await store.startedScheduleTicks(schedule.name)) {
    await launch(tick.scheduledAt, tick.runId ?? scheduleRunId(schedule.name, tick.scheduledAt));
  }

  const latest = await store.latestScheduleTick(schedule.name);
  // The schedule's start (when it was first seen, or switched on again) bounds the catch-up.
  const cursor = state.cursor !== null ? new Date(state.cursor) : undefined;
  const start = cursor && !isNaN(+cursor) ? cursor : now;
  const after = latest && latest.scheduledAt > start ? latest.scheduledAt : start;
  const due = dueTicks(parseCron(schedule.cron, schedule.timezone), {
    after,
    now,
    windowMs: options.catchUpWindowMs,
  });

  if (due.skip.length > 0) {
    const reason = `missed by more than the catch-up window (${describeWindow(options.catchUpWindowMs)}): the scheduler was not running`;
    const skipped = await store.insertScheduleTicks(
      due.skip.map((scheduledAt) => ({
        schedule: schedule.name,
        scheduledAt,
        status: "SKIPPED" as const,
        runId: null,
        error: reason,
      })),
    );
    outcome.skipped = skipped.length;
    if (skipped.length > 0) {
      ctx.log(`schedule ${schedule.name}: ${skipped.length} tick(s) ${reason}`);
    }
  }

  for (const scheduledAt of due.launch) {
    const runId = scheduleRunId(schedule.name, scheduledAt);
    const [recorded] = await store.insertScheduleTicks([
      { schedule: schedule.name, scheduledAt, status: "STARTED", runId },
    ]);
    // Recorded by another scheduler: it launches it (or, if it dies, whoever evaluates next).
    if (!recorded) continue;
    await options.afterTickRecorded?.(recorded);
    await launch(scheduledAt, runId);
  }
  return outcome;
}

/** Queues a tick's run and finishes the tick; returns the reason when the run was refused. */
async function launchTick(
  ctx: AutomationContext,
  schedule: ScheduleDefinition,
  scheduledAt: Date,
  runId: string,
  now: Date,
): Promise<string | undefined> {
  if (schedule.job === "maintenance") {
    await queueMaintenanceTick(ctx, schedule, scheduledAt, runId);
    return undefined;
  }
  let problem: string;
  try {
    const partitions = schedulePartitionRequest(schedule, scheduledAt);
    const queued = await queuedRunFor(
      ctx,
      {
        id: runId,
        selection: schedule.selection,
        partitions,
        tags: {
          ...schedule.tags,
          trigger: "schedule",
          schedule: schedule.name,
          scheduledAt: scheduledAt.toISOString(),
        },
        launchedBy: { kind: "schedule", detail: schedule.name },
        ...(schedule.config ? { config: schedule.config } : {}),
      },
      now,
    );
    if ("run" in queued) {
      const created = await ctx.store.queueRun(queued.run);
      await ctx.store.finishScheduleTick(schedule.name, scheduledAt, "SUCCESS");
      if (created) {
        const what = describePartitionRequest(partitions);
        ctx.log(
          `schedule ${schedule.name}: tick ${scheduledAt.toISOString()} queued run ${runId} (${schedule.selection}${what ? ` [${what}]` : ""})`,
        );
      }
      return undefined;
    }
    problem = queued.problem;
  } catch (error) {
    if (!isBadInput(error)) throw error;
    problem = describeError(error);
  }
  await ctx.store.finishScheduleTick(schedule.name, scheduledAt, "FAILURE", problem);
  ctx.log(`schedule ${schedule.name}: tick ${scheduledAt.toISOString()} failed: ${problem}`);
  return problem;
}

/** A maintenance tick queues the maintenance job: there is no selection to plan. */
async function queueMaintenanceTick(
  ctx: AutomationContext,
  schedule: ScheduleDefinition,
  scheduledAt: Date,
  runId: string,
): Promise<void> {
  const created = await ctx.store.queueRun(
    maintenanceQueuedRun({
      id: runId,
      tags: {
        trigger: "schedule",
        schedule: schedule.name,
        scheduledAt: scheduledAt.toISOString(),
      },
      launchedBy: { kind: "schedule", detail: schedule.name },
      maxAttempts: ctx.maxAttempts,
    }),
  );
  await ctx.store.finishScheduleTick(schedule.name, scheduledAt, "SUCCESS");
  if (created)
    ctx.log(
      `schedule ${schedule.name}: tick ${scheduledAt.toISOString()} queued maintenance run ${runId}`,
    );
}

function describeWindow(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 24 && Number.isInteger(hours / 24)) return `${hours / 24} d`;
  if (hours >= 1 && Number.isInteger(hours)) return `${hours} h`;
  return `${Math.round(ms / 1000)} s`;
}
