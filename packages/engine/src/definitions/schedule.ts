import { dayIn, formatDateKey } from "../partitions/calendar";
import { DEFAULT_TIMEZONE } from "../partitions/definition";
import type { PartitionRequest } from "../partitions/request";
import type { RunConfig } from "./run-config";

/**
 * A cron schedule: at each of its instants, one run of `selection` is queued, for the
 * partitions `partition` derives from the instant. Declared in `Definitions.create({ schedules })`,
 * evaluated by `lignee scheduler`.
 */
export interface ScheduleDefinition {
  readonly name: string;
  readonly cron: string;
  /** The timezone the cron expression is read in (default Europe/Paris). */
  readonly timezone: string;
  readonly selection: string;
  readonly description: string | undefined;
  /** Added to the tags of every run the schedule queues. */
  readonly tags: Readonly<Record<string, string>>;
  /**
   * The partitions a tick asks for, from its scheduled instant: a key, or any partition
   * request. Undefined for a selection of unpartitioned assets.
   */
  readonly partition: ((scheduledAt: Date) => string | PartitionRequest) | undefined;
  /** The config of every run the schedule queues (see `RunConfig`); undefined: the defaults. */
  readonly config?: RunConfig;
  /** Set on the built-in maintenance schedule: its ticks queue the maintenance job, not assets. */
  readonly job?: "maintenance";
}

export interface ScheduleOptions {
  name: string;
  cron: string;
  timezone?: string;
  selection: string;
  partition?: (scheduledAt: Date) => string | PartitionRequest;
  description?: string;
  tags?: Record<string, string>;
  /** The config of every run it queues, per asset key (validated at each tick). */
  config?: RunConfig;
}

/**
 * Declares a schedule. The cron expression, its timezone and the selection are checked when the
 * definitions are created (`Definitions.create` reports every problem at once).
 *
 * @example
 * // Every day at 01:00 Paris time, the previous day's offers, then everything downstream.
 * const daily = defineSchedule({
 *   name: "offres_quotidiennes",
 *   cron: "0 1 * * *",
 *   timezone: "Europe/Paris",
 *   selection: "raw/offres+",
 *   partition: (scheduledAt) => dayBefore(scheduledAt, "Europe/Paris"),
 * });
 */
export function defineSchedule(options: ScheduleOptions): ScheduleDefinition {
  return {
    name: options.name,
    cron: options.cron,
    timezone: options.timezone ?? DEFAULT_TIMEZONE,
    selection: options.selection,
    description: options.description,
    tags: { ...(options.tags ?? {}) },
    partition: options.partition,
    ...(options.config ? { config: options.config } : {}),
  };
}

/**
 * The key (`YYYY-MM-DD`) of the calendar day before the one `instant` falls on in `timezone`:
 * the partition a daily schedule collects (J-1).
 *
 * @example
 * dayBefore(new Date("2025-03-30T00:00:00Z"), "Europe/Paris") // "2025-03-29"
 */
export function dayBefore(instant: Date, timezone: string = DEFAULT_TIMEZONE): string {
  return formatDateKey(dayIn(timezone, instant) - 1);
}
