import { InvalidPartitionError, quote } from "../errors";
import { isValidTimezone, parseDateKey, startOfDay } from "./calendar";
import {
  dynamicPartitionIndex,
  dynamicPartitionKey,
  loadedKeys,
  type DynamicPartitionsDefinition,
} from "./dynamic";
import { IntervalSet } from "./interval-set";
import {
  combineIndex,
  MULTI_KEY_SEPARATOR,
  splitIndex,
  type MultiPartitionsDefinition,
} from "./multi";
import {
  firstDayOfMonth,
  firstNonWholeHourOffset,
  firstPeriod,
  formatPeriodKey,
  hourAt,
  hourStart,
  monthOfDay,
  parseHourKey,
  parsePeriodKey,
  periodAt,
  periodStart,
  isTimePartitions,
  timeAxis,
  weekdayOf,
  WEEKDAYS,
  weekOfDay,
} from "./time-periods";

export { isTimePartitions, timeAxis };
export type { MultiPartitionsDefinition };

/**
 * Daily partitions: one per calendar day in `timezone`, from `start`. With `endOffset: 0` the
 * last partition is the last *complete* day (yesterday), as in Dagster; `endOffset: 1` adds the
 * day in progress. Partition index = epoch day, so indices do not depend on the start date.
 */
export interface DailyPartitionsDefinition {
  readonly kind: "daily";
  readonly start: string;
  readonly startDay: number;
  readonly timezone: string;
  readonly endOffset: number;
}

/**
 * Hourly partitions: one per hour, from `start`. Index = epoch hour (hours since
 * 1970-01-01T00:00Z): hours are UTC hours, so a day when clocks go back has 25 of them and one
 * when they go forward 23. Keys are local: `2024-08-01-14:00`; the hour that happens twice
 * carries its offset (`2025-10-26-02:00+02:00`, then `2025-10-26-02:00+01:00`).
 */
export interface HourlyPartitionsDefinition {
  readonly kind: "hourly";
  readonly start: string;
  readonly startHour: number;
  readonly timezone: string;
  readonly endOffset: number;
}

/**
 * Weekly partitions: one per week of the timezone's calendar, weeks starting on `weekStartsOn`
 * (ISO weekday, 1 = Monday, the default … 7 = Sunday). Index = weeks since the week of
 * 1970-01-01; key = the week's first day, `YYYY-MM-DD`.
 */
export interface WeeklyPartitionsDefinition {
  readonly kind: "weekly";
  readonly start: string;
  readonly startWeek: number;
  readonly timezone: string;
  readonly endOffset: number;
  readonly weekStartsOn: number;
}

/**
 * Monthly partitions: one per calendar month of the timezone. Index = months since January
 * 1970; key = the month's first day, `YYYY-MM-01` (as Dagster names them).
 */
export interface MonthlyPartitionsDefinition {
  readonly kind: "monthly";
  readonly start: string;
  readonly startMonth: number;
  readonly timezone: string;
  readonly endOffset: number;
}

/** A fixed list of keys; partition index = position in the list. */
export interface StaticPartitionsDefinition {
  readonly kind: "static";
  readonly keys: readonly string[];
}

/** Partitions that are periods of time, each with a time window. */
export type TimePartitionsDefinition =
  | HourlyPartitionsDefinition
  | DailyPartitionsDefinition
  | WeeklyPartitionsDefinition
  | MonthlyPartitionsDefinition;

export type PartitionsDefinition =
  | TimePartitionsDefinition
  | StaticPartitionsDefinition
  | DynamicPartitionsDefinition
  | MultiPartitionsDefinition;

export const DEFAULT_TIMEZONE = "Europe/Paris";

/** The largest end offset, in periods, either way (indices must stay 32-bit). */
export const MAX_END_OFFSET = 10_000;

/** The time partitions of a definition: itself, or the time dimension of multi partitions. */
export function timeDimension(
  def: PartitionsDefinition | undefined,
): TimePartitionsDefinition | undefined {
  if (!def) return undefined;
  switch (def.kind) {
    case "static":
    case "dynamic":
      return undefined;
    case "multi":
      return def.time.partitions;
    case "hourly":
    case "daily":
    case "weekly":
    case "monthly":
      return def;
  }
}

interface TimeOptions {
  start: string;
  timezone?: string;
  endOffset?: number;
}

function checkTimeOptions(
  what: string,
  options: TimeOptions,
): { timezone: string; endOffset: number } {
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) {
    throw new InvalidPartitionError(`${what} partitions: unknown timezone "${timezone}"`);
  }
  const endOffset = options.endOffset ?? 0;
  if (!Number.isInteger(endOffset) || Math.abs(endOffset) > MAX_END_OFFSET) {
    throw new InvalidPartitionError(
      `${what} partitions: endOffset must be an integer from -${MAX_END_OFFSET} to ${MAX_END_OFFSET} (periods), not ${String(endOffset)}`,
    );
  }
  return { timezone, endOffset };
}

function startDayOf(what: string, start: string): number {
  const day = parseDateKey(start);
  if (day === undefined) {
    throw new InvalidPartitionError(
      `${what} partitions: start "${start}" is not a YYYY-MM-DD date`,
    );
  }
  return day;
}

/**
 * @example
 * dailyPartitions({ start: "2024-05-23" }) // Europe/Paris, last partition = yesterday
 */
export function dailyPartitions(options: TimeOptions): DailyPartitionsDefinition {
  const startDay = startDayOf("daily", options.start);
  const { timezone, endOffset } = checkTimeOptions("daily", options);
  return { kind: "daily", start: options.start, startDay, timezone, endOffset };
}

/**
 * `start` is a local hour (`2024-08-01-06:00`) or a date (its midnight). The timezone's UTC
 * offset must be whole hours (not Asia/Kolkata): hourly partitions are UTC hours.
 *
 * @example
 * hourlyPartitions({ start: "2024-08-01" }) // Europe/Paris, last partition = the last complete hour
 */
export function hourlyPartitions(options: TimeOptions): HourlyPartitionsDefinition {
  const { timezone, endOffset } = checkTimeOptions("hourly", options);
  const date = parseDateKey(options.start);
  // A date starts at its day's first instant: local midnight, or the first hour after it where
  // midnight is skipped (America/Santiago, 2024-09-08).
  const startHour =
    date !== undefined ? hourAt(startOfDay(date, timezone)) : parseHourKey(options.start, timezone);
  if (typeof startHour !== "number") {
    throw new InvalidPartitionError(
      `hourly partitions: start "${options.start}" is not a YYYY-MM-DD-HH:00 hour or a YYYY-MM-DD date (${startHour.problem})`,
    );
  }
  const fractional = firstNonWholeHourOffset(timezone, hourStart(startHour).getTime());
  if (fractional !== undefined) {
    throw new InvalidPartitionError(
      `hourly partitions: ${timezone} is not a whole number of hours from UTC (on ${new Date(
        fractional,
      )
        .toISOString()
        .slice(0, 10)}, after the start ${options.start}): hourly partitions are UTC hours`,
    );
  }
  return { kind: "hourly", start: options.start, startHour, timezone, endOffset };
}

/**
 * `start` must be a week's first day (a Monday unless `weekStartsOn` says otherwise:
 * 1 = Monday … 7 = Sunday).
 *
 * @example
 * weeklyPartitions({ start: "2024-07-29" }) // weeks from Monday 2024-07-29, Europe/Paris
 */
export function weeklyPartitions(
  options: TimeOptions & { weekStartsOn?: number },
): WeeklyPartitionsDefinition {
  const day = startDayOf("weekly", options.start);
  const { timezone, endOffset } = checkTimeOptions("weekly", options);
  const weekStartsOn = options.weekStartsOn ?? 1;
  if (!Number.isInteger(weekStartsOn) || weekStartsOn < 1 || weekStartsOn > 7) {
    throw new InvalidPartitionError(
      `weekly partitions: weekStartsOn must be an ISO weekday, 1 (Monday) to 7 (Sunday)`,
    );
  }
  if (weekdayOf(day) !== weekStartsOn) {
    throw new InvalidPartitionError(
      `weekly partitions: start "${options.start}" is a ${WEEKDAYS[weekdayOf(day) - 1]!}, not the first day of a week (a ${WEEKDAYS[weekStartsOn - 1]!})`,
    );
  }
  const startWeek = weekOfDay(day, weekStartsOn);
  return { kind: "weekly", start: options.start, startWeek, timezone, endOffset, weekStartsOn };
}

/**
 * `start` must be a month's first day.
 *
 * @example
 * monthlyPartitions({ start: "2024-01-01" }) // last partition = the last complete month
 */
export function monthlyPartitions(options: TimeOptions): MonthlyPartitionsDefinition {
  const day = startDayOf("monthly", options.start);
  const { timezone, endOffset } = checkTimeOptions("monthly", options);
  const startMonth = monthOfDay(day);
  if (firstDayOfMonth(startMonth) !== day) {
    throw new InvalidPartitionError(
      `monthly partitions: start "${options.start}" is not the first day of a month`,
    );
  }
  return { kind: "monthly", start: options.start, startMonth, timezone, endOffset };
}

/** @example staticPartitions(["fr", "de"]) */
export function staticPartitions(keys: readonly string[]): StaticPartitionsDefinition {
  if (keys.length === 0) throw new InvalidPartitionError("static partitions: no keys");
  const seen = new Set<string>();
  for (const k of keys) {
    if (k.length === 0) throw new InvalidPartitionError("static partitions: empty key");
    if (seen.has(k)) throw new InvalidPartitionError(`static partitions: duplicate key "${k}"`);
    seen.add(k);
  }
  return { kind: "static", keys: [...keys] };
}

/**
 * Inclusive index bounds of the partitions that exist at `now` (`last < first` when none). The
 * last time partition is the last complete period (hour, day, week, month) plus `endOffset`.
 */
export function partitionBounds(
  def: PartitionsDefinition,
  now: Date,
): { first: number; last: number } {
  if (def.kind === "static") return { first: 0, last: def.keys.length - 1 };
  if (def.kind === "dynamic") {
    const { indices } = loadedKeys(def);
    return { first: indices.first ?? 0, last: indices.last ?? -1 };
  }
  if (def.kind === "multi") {
    const time = partitionBounds(def.time.partitions, now);
    return {
      first: combineIndex(def, time.first, 0),
      last: combineIndex(def, time.last + 1, 0) - 1,
    };
  }
  return { first: firstPeriod(def), last: periodAt(timeAxis(def), now) - 1 + def.endOffset };
}

/** Every partition that exists at `now`. */
export function allPartitions(def: PartitionsDefinition, now: Date): IntervalSet {
  // Removed dynamic keys leave gaps: their indices are never given again.
  if (def.kind === "dynamic") return loadedKeys(def).indices;
  const { first, last } = partitionBounds(def, now);
  return IntervalSet.fromRange(first, last + 1);
}

/** Key → index when the key is well formed (whether or not it exists yet), else the reason. */
export function parsePartitionKey(
  def: PartitionsDefinition,
  key: string,
): number | { problem: string } {
  if (isTimePartitions(def)) return parsePeriodKey(timeAxis(def), key);
  if (def.kind === "multi") return parseMultiKey(def, key);
  if (def.kind === "dynamic") {
    const index = loadedKeys(def).indexOf(key);
    return index !== undefined
      ? index
      : { problem: `not one of dynamic partitions ${quote(def.name)}` };
  }
  const i = def.keys.indexOf(key);
  return i < 0 ? { problem: `expected one of ${def.keys.join(", ")}` } : i;
}

function parseMultiKey(def: MultiPartitionsDefinition, key: string): number | { problem: string } {
  const parts = key.split(MULTI_KEY_SEPARATOR);
  if (parts.length !== 2) {
    return {
      problem: `expected ${def.time.name}${MULTI_KEY_SEPARATOR}${def.static.name}, e.g. ${partitionKey(
        def,
        combineIndex(def, firstPeriod(def.time.partitions), 0),
      )}`,
    };
  }
  const time = parsePartitionKey(def.time.partitions, parts[0]!);
  if (typeof time !== "number") return { problem: `${def.time.name}: ${time.problem}` };
  const fixed = parsePartitionKey(def.static.partitions, parts[1]!);
  if (typeof fixed !== "number") return { problem: `${def.static.name}: ${fixed.problem}` };
  return combineIndex(def, time, fixed);
}

/**
 * Key → index; throws InvalidPartitionError for a malformed key (`2024-02-30`) or one outside
 * the partitions that exist at `now`.
 */
export function partitionIndex(def: PartitionsDefinition, key: string, now: Date): number {
  if (def.kind === "dynamic") return dynamicPartitionIndex(def, key);
  const index = parsePartitionKey(def, key);
  if (typeof index !== "number") {
    throw new InvalidPartitionError(`invalid partition key ${quote(key)}: ${index.problem}`);
  }
  const { first, last } = partitionBounds(def, now);
  if (index < first || index > last) {
    throw new InvalidPartitionError(
      `partition key ${quote(key)} is out of range: partitions run from ${partitionKey(def, first)} to ${
        last >= first ? partitionKey(def, last) : "(none yet)"
      }`,
    );
  }
  return index;
}

export function partitionKey(def: PartitionsDefinition, index: number): string {
  if (isTimePartitions(def)) return formatPeriodKey(timeAxis(def), index);
  if (def.kind === "multi") {
    const { time, key } = splitIndex(def, index);
    return `${partitionKey(def.time.partitions, time)}${MULTI_KEY_SEPARATOR}${partitionKey(def.static.partitions, key)}`;
  }
  if (def.kind === "dynamic") return dynamicPartitionKey(def, index);
  const key = def.keys[index];
  if (key === undefined) throw new InvalidPartitionError(`no static partition at index ${index}`);
  return key;
}

export function partitionKeys(def: PartitionsDefinition, subset: IntervalSet): string[] {
  const keys: string[] = [];
  for (const i of subset) keys.push(partitionKey(def, i));
  return keys;
}

/**
 * The instants a time partition covers: a day in its timezone is 23 h, 24 h or 25 h long, a
 * week 167 to 169 h, an hour always one hour.
 */
export function partitionTimeWindow(
  def: TimePartitionsDefinition,
  index: number,
): { start: Date; end: Date } {
  const axis = timeAxis(def);
  return { start: periodStart(axis, index), end: periodStart(axis, index + 1) };
}

/**
 * The instants from partition `first`'s start to partition `last`'s end, for time partitions
 * and those with a time dimension; undefined for static ones.
 */
export function timeWindowOf(
  def: PartitionsDefinition | undefined,
  first: number,
  last: number = first,
): { start: Date; end: Date } | undefined {
  if (!def || def.kind === "static" || def.kind === "dynamic") return undefined;
  if (def.kind === "multi") {
    return timeWindowOf(
      def.time.partitions,
      splitIndex(def, first).time,
      splitIndex(def, last).time,
    );
  }
  return { start: partitionTimeWindow(def, first).start, end: partitionTimeWindow(def, last).end };
}

/** A stable text that changes whenever the meaning of partition indices or keys changes. */
export function partitionsFingerprint(def: PartitionsDefinition | undefined): string {
  if (!def) return "unpartitioned";
  switch (def.kind) {
    case "static":
      return `static:${def.keys.join("\u0000")}`;
    case "dynamic":
      return `dynamic:${def.name}`;
    case "hourly":
    case "daily":
    case "monthly":
      return `${def.kind}:${def.timezone}`;
    case "weekly":
      return `weekly:${def.timezone}:${def.weekStartsOn}`;
    case "multi":
      return `multi:${def.time.name}=${partitionsFingerprint(def.time.partitions)}${MULTI_KEY_SEPARATOR}${
        def.static.name
      }=${partitionsFingerprint(def.static.partitions)}`;
  }
}

export function describePartitions(def: PartitionsDefinition | undefined): string {
  if (!def) return "unpartitioned";
  switch (def.kind) {
    case "static":
      return `static (${def.keys.length} keys)`;
    case "dynamic":
      return `dynamic (${def.name})`;
    case "hourly":
    case "daily":
    case "monthly":
      return `${def.kind} from ${def.start} (${def.timezone})`;
    case "weekly":
      return `weekly from ${def.start} (${def.timezone}, weeks start on ${WEEKDAYS[def.weekStartsOn - 1]!})`;
    case "multi":
      return `${def.time.name}: ${describePartitions(def.time.partitions)} × ${def.static.name}: ${describePartitions(
        def.static.partitions,
      )}`;
  }
}

/**
 * The key of the last partition complete at `instant` (the one before the period `instant`
 * falls in): what a schedule materialises, as `dayBefore` does for days.
 *
 * @example
 * lastCompletePartitionKey(hourlyPartitions({ start: "2024-08-01" }), new Date("2024-08-02T10:05:00Z"))
 * // "2024-08-02-11:00" (Paris: 12:05 → the hour 11:00–12:00)
 */
export function lastCompletePartitionKey(def: TimePartitionsDefinition, instant: Date): string {
  return partitionKey(def, periodAt(timeAxis(def), instant) - 1);
}
