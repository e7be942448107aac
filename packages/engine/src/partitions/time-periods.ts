import { IANAZone } from "luxon";
import { dayIn, formatDateKey, parseDateKey, startOfDay } from "./calendar";
import type { PartitionsDefinition, TimePartitionsDefinition } from "./definition";

/**
 * Hours, weeks and months as integers, as calendar.ts does for days, so that partition maths
 * stays integer arithmetic:
 * - an hour is an *epoch hour*: whole hours since 1970-01-01T00:00Z. Hours are counted in UTC,
 *   so that the hour a DST change repeats (02:00–03:00 twice in Europe/Paris on 2025-10-26) is
 *   two distinct indices, and the hour it skips (2025-03-30 02:00) is none;
 * - a week is counted from the week of 1970-01-01, weeks starting on `weekStartsOn` (ISO
 *   weekday: 1 = Monday … 7 = Sunday);
 * - a month is `(year - 1970) × 12 + month - 1`.
 * Days, weeks and months are calendar periods of a timezone; an hour is a UTC hour, shown in
 * local time.
 */
const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
/** 1970-01-01 was a Thursday (ISO weekday 4). */
const EPOCH_WEEKDAY = 4;

const HOUR_KEY = /^(\d{4}-\d{2}-\d{2})-(\d{2}):(\d{2})(?:([+-])(\d{2}):(\d{2}))?$/;

/**
 * The UTC offset of `timezone` at an instant, in minutes (`120` for Paris in summer). Asking
 * Intl costs microseconds and a year of hourly keys asks tens of thousands of times: offsets
 * are remembered per zone and UTC day, a day with the same offset at both ends taken as
 * constant (zones change offset at most once a day).
 */
function offsetMinutes(timezone: string, ms: number): number {
  let days = OFFSETS.get(timezone);
  if (!days) {
    days = new Map();
    OFFSETS.set(timezone, days);
  }
  const day = Math.floor(ms / MS_PER_DAY);
  let constant = days.get(day);
  if (constant === undefined) {
    const zone = IANAZone.create(timezone);
    const start = zone.offset(day * MS_PER_DAY);
    constant = start === zone.offset((day + 1) * MS_PER_DAY - 1) ? start : null;
    if (days.size > 100_000) days.clear();
    days.set(day, constant);
  }
  return constant ?? IANAZone.create(timezone).offset(ms);
}

const MS_PER_DAY = 86_400_000;
const OFFSETS = new Map<string, Map<number, number | null>>();

// ---- hours ----

/** The epoch hour an instant falls in. */
export function hourAt(now: Date): number {
  return Math.floor(now.getTime() / MS_PER_HOUR);
}

export function hourStart(hour: number): Date {
  return new Date(hour * MS_PER_HOUR);
}

/** Local wall-clock time of an hour's start, as milliseconds of a UTC clock showing it. */
function wallClock(hour: number, timezone: string): number {
  const ms = hour * MS_PER_HOUR;
  return ms + offsetMinutes(timezone, ms) * MS_PER_MINUTE;
}

function formatWall(wall: number): string {
  const iso = new Date(wall).toISOString();
  return `${iso.slice(0, 10)}-${iso.slice(11, 16)}`;
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${sign}${hh}:${mm}`;
}

/** The other hours near `hour` that show the same local time (the hour a DST change repeats). */
function twins(hour: number, timezone: string): number[] {
  const wall = wallClock(hour, timezone);
  const out: number[] = [];
  for (const other of [hour - 2, hour - 1, hour + 1, hour + 2]) {
    if (wallClock(other, timezone) === wall) out.push(other);
  }
  return out;
}

/**
 * `YYYY-MM-DD-HH:mm` in local time (Dagster's format); an hour whose local time happens twice
 * carries its UTC offset: `2025-10-26-02:00+02:00`, then `2025-10-26-02:00+01:00`.
 */
function formatHourKey(hour: number, timezone: string): string {
  const ms = hour * MS_PER_HOUR;
  const offset = offsetMinutes(timezone, ms);
  const text = formatWall(ms + offset * MS_PER_MINUTE);
  return twins(hour, timezone).length > 0 ? text + formatOffset(offset) : text;
}

/** Key → epoch hour, or the reason the key names no hour of `timezone`. */
export function parseHourKey(key: string, timezone: string): number | { problem: string } {
  const m = HOUR_KEY.exec(key);
  const day = m ? parseDateKey(m[1]!) : undefined;
  if (!m || day === undefined) {
    return { problem: "not a valid YYYY-MM-DD-HH:mm hour" };
  }
  const [hh, mm] = [Number(m[2]), Number(m[3])];
  if (hh > 23 || mm > 59) return { problem: "not a valid YYYY-MM-DD-HH:mm hour" };
  if (mm !== 0) return { problem: "an hour starts at minute 00" };
  const wall = day * 86_400_000 + hh * MS_PER_HOUR;
  // Offsets a day around cover every zone's DST change; each gives a candidate hour.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000]) {
    const hour = (wall - offsetMinutes(timezone, probe) * MS_PER_MINUTE) / MS_PER_HOUR;
    if (Number.isInteger(hour) && wallClock(hour, timezone) === wall) candidates.add(hour);
  }
  const found = [...candidates].sort((a, b) => a - b);
  if (found.length === 0) {
    return { problem: `${m[1]} ${m[2]}:00 does not exist in ${timezone} (the clocks skip it)` };
  }
  const canonical = found.map((h) => formatHourKey(h, timezone));
  const index = canonical.indexOf(key);
  if (index >= 0) return found[index]!;
  if (found.length > 1) {
    return {
      problem: `${m[1]} ${m[2]}:00 happens twice in ${timezone}: write ${canonical.join(" or ")}`,
    };
  }
  return { problem: `the hour is written ${canonical[0]!} in ${timezone}` };
}

/** How far ahead offsets are checked: indices are sized for partitions up to then. */
const OFFSETS_CHECKED_UNTIL = Date.UTC(2100, 0, 1);
const MS_PER_WEEK = 7 * MS_PER_DAY;

/**
 * The first instant from `fromMs` (then sampled weekly, up to 2100) at which `timezone`'s UTC
 * offset is not a whole number of hours (America/Caracas, UTC−4:30 from 2007 to 2016), or
 * undefined when there is none. Samples are remembered per zone, so that definitions repeating
 * a zone scan it once.
 */
export function firstNonWholeHourOffset(timezone: string, fromMs: number): number | undefined {
  const zone = IANAZone.create(timezone);
  if (zone.offset(fromMs) % 60 !== 0) return fromMs;
  let scan = WHOLE_HOUR_SCANS.get(timezone);
  if (!scan) {
    scan = { from: OFFSETS_CHECKED_UNTIL, fractional: [] };
    WHOLE_HOUR_SCANS.set(timezone, scan);
  }
  const first = Math.ceil(fromMs / MS_PER_WEEK) * MS_PER_WEEK;
  if (first < scan.from) {
    const found: number[] = [];
    for (let ms = first; ms < scan.from; ms += MS_PER_WEEK) {
      if (zone.offset(ms) % 60 !== 0) found.push(ms);
    }
    scan.fractional = [...found, ...scan.fractional];
    scan.from = first;
  }
  return scan.fractional.find((ms) => ms >= fromMs);
}

const WHOLE_HOUR_SCANS = new Map<string, { from: number; fractional: number[] }>();

// ---- weeks ----

/** The epoch day of the first day of week 0. */
function weekOrigin(weekStartsOn: number): number {
  return -((EPOCH_WEEKDAY - weekStartsOn + 7) % 7);
}

export function weekOfDay(day: number, weekStartsOn: number): number {
  return Math.floor((day - weekOrigin(weekStartsOn)) / 7);
}

function firstDayOfWeek(week: number, weekStartsOn: number): number {
  return weekOrigin(weekStartsOn) + week * 7;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of an epoch day. */
export function weekdayOf(day: number): number {
  return ((((day + EPOCH_WEEKDAY - 1) % 7) + 7) % 7) + 1;
}

export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;

// ---- months ----

export function monthOfDay(day: number): number {
  const d = new Date(day * 86_400_000);
  return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
}

export function firstDayOfMonth(month: number): number {
  const year = 1970 + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  return Date.UTC(year, m, 1) / 86_400_000;
}

// ---- periods of any grain ----

export type TimeGrain = "hourly" | "daily" | "weekly" | "monthly";

/** What places a period in time: its grain, its timezone, and for weeks their first weekday. */
export interface TimeAxis {
  readonly grain: TimeGrain;
  readonly timezone: string;
  readonly weekStartsOn: number;
}

/** Whether partitions are periods of time (they have time windows and time-window mappings). */
export function isTimePartitions(
  def: PartitionsDefinition | undefined,
): def is TimePartitionsDefinition {
  if (!def) return false;
  switch (def.kind) {
    case "hourly":
    case "daily":
    case "weekly":
    case "monthly":
      return true;
    case "static":
    case "dynamic":
    case "multi":
      return false;
  }
}

/** Where time partitions sit in time: their grain, timezone and first weekday. */
export function timeAxis(def: TimePartitionsDefinition): TimeAxis {
  return {
    grain: def.kind,
    timezone: def.timezone,
    weekStartsOn: def.kind === "weekly" ? def.weekStartsOn : 1,
  };
}

/** The index of the first time partition. */
export function firstPeriod(def: TimePartitionsDefinition): number {
  switch (def.kind) {
    case "hourly":
      return def.startHour;
    case "daily":
      return def.startDay;
    case "weekly":
      return def.startWeek;
    case "monthly":
      return def.startMonth;
  }
}

/** The period an instant falls in. */
export function periodAt(axis: TimeAxis, instant: Date): number {
  switch (axis.grain) {
    case "hourly":
      return hourAt(instant);
    case "daily":
      return dayIn(axis.timezone, instant);
    case "weekly":
      return weekOfDay(dayIn(axis.timezone, instant), axis.weekStartsOn);
    case "monthly":
      return monthOfDay(dayIn(axis.timezone, instant));
  }
}

/** The instant a period starts (its end is the next period's start). */
export function periodStart(axis: TimeAxis, period: number): Date {
  switch (axis.grain) {
    case "hourly":
      return hourStart(period);
    case "daily":
      return startOfDay(period, axis.timezone);
    case "weekly":
      return startOfDay(firstDayOfWeek(period, axis.weekStartsOn), axis.timezone);
    case "monthly":
      return startOfDay(firstDayOfMonth(period), axis.timezone);
  }
}

export function formatPeriodKey(axis: TimeAxis, period: number): string {
  switch (axis.grain) {
    case "hourly":
      return formatHourKey(period, axis.timezone);
    case "daily":
      return formatDateKey(period);
    case "weekly":
      return formatDateKey(firstDayOfWeek(period, axis.weekStartsOn));
    case "monthly":
      return formatDateKey(firstDayOfMonth(period));
  }
}

/** Key → period, or the reason the key is malformed. */
export function parsePeriodKey(axis: TimeAxis, key: string): number | { problem: string } {
  if (axis.grain === "hourly") return parseHourKey(key, axis.timezone);
  const day = parseDateKey(key);
  if (day === undefined) return { problem: "not a valid YYYY-MM-DD date" };
  switch (axis.grain) {
    case "daily":
      return day;
    case "weekly": {
      const week = weekOfDay(day, axis.weekStartsOn);
      if (firstDayOfWeek(week, axis.weekStartsOn) !== day) {
        return {
          problem: `a week is named by its first day, a ${WEEKDAYS[axis.weekStartsOn - 1]!} (${formatDateKey(
            firstDayOfWeek(week, axis.weekStartsOn),
          )} for this one)`,
        };
      }
      return week;
    }
    case "monthly": {
      const month = monthOfDay(day);
      if (firstDayOfMonth(month) !== day) {
        return {
          problem: `a month is named by its first day (${formatDateKey(firstDayOfMonth(month))})`,
        };
      }
      return month;
    }
  }
}

/** The periods of `axis` that overlap the instants `[start, end)` (none when end <= start). */
export function periodsOverlapping(
  axis: TimeAxis,
  start: Date,
  end: Date,
): readonly [first: number, endExclusive: number] {
  if (end.getTime() <= start.getTime()) return [0, 0];
  const first = periodAt(axis, start);
  const last = periodAt(axis, new Date(end.getTime() - 1));
  return [first, last + 1];
}
