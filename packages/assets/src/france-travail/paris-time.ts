/**
 * Europe/Paris calendar arithmetic with the platform's Intl time-zone data (no dependency):
 * the instants a Paris day covers (23, 24 or 25 hours) and the API's date format.
 */

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const HOUR_MS = 3_600_000;

let formatter: Intl.DateTimeFormat | undefined;

function parisFormatter(): Intl.DateTimeFormat {
  formatter ??= new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Paris",
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  return formatter;
}

/** Paris wall-clock fields of an instant. */
export function parisFields(instantMs: number): {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
} {
  const fields: Record<string, number> = {};
  for (const part of parisFormatter().formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? NaN,
    month: fields.month ?? NaN,
    day: fields.day ?? NaN,
    hour: fields.hour ?? NaN,
    minute: fields.minute ?? NaN,
    second: fields.second ?? NaN,
  };
}

/** Paris local time minus UTC at an instant, in milliseconds (3,600,000 or 7,200,000). */
export function parisOffsetMs(instantMs: number): number {
  const f = parisFields(instantMs);
  const wall = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/** Throws a RangeError unless `day` is a real calendar date written `YYYY-MM-DD`. */
export function assertDay(day: string): void {
  const match = DAY_PATTERN.exec(day);
  const date = match ? new Date(Date.UTC(+match[1]!, +match[2]! - 1, +match[3]!)) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== day) {
    throw new RangeError(`Invalid day "${day}": expected an existing date written YYYY-MM-DD`);
  }
}

/** The UTC instant of Paris midnight at the start of `day`. */
export function parisMidnightMs(day: string): number {
  assertDay(day);
  const wallMidnight = Date.parse(`${day}T00:00:00Z`);
  // Midnight is never inside a DST transition in Paris (they happen at 02:00/03:00), so the
  // offset one guess away is the right one; the second pass covers a guess on the wrong side.
  let instant = wallMidnight - parisOffsetMs(wallMidnight);
  instant = wallMidnight - parisOffsetMs(instant);
  return instant;
}

/**
 * The half-open window [start, end) of instants that belong to a Paris calendar day.
 *
 * @example
 * parisDayWindow("2024-10-27") // { start: 2024-10-26T22:00:00Z, end: 2024-10-27T23:00:00Z } (25 h)
 */
export function parisDayWindow(day: string): { start: Date; end: Date } {
  return { start: new Date(parisMidnightMs(day)), end: new Date(parisMidnightMs(nextDay(day))) };
}

/** The calendar day after `day`. */
export function nextDay(day: string): string {
  assertDay(day);
  return new Date(Date.parse(`${day}T00:00:00Z`) + 24 * HOUR_MS).toISOString().slice(0, 10);
}

/** The Paris calendar day an instant belongs to. */
export function parisDayOf(instantMs: number): string {
  const f = parisFields(instantMs);
  return `${String(f.year).padStart(4, "0")}-${pad2(f.month)}-${pad2(f.day)}`;
}

/** Day of the week of a calendar day, 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day: string): number {
  assertDay(day);
  return new Date(`${day}T00:00:00Z`).getUTCDay();
}

/** The API's date format, `yyyy-MM-ddTHH:mm:ssZ` in UTC (whole seconds). */
export function formatApiDate(instantMs: number): string {
  return `${new Date(Math.floor(instantMs / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

const API_DATE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Parses `yyyy-MM-ddTHH:mm:ssZ`; undefined when the text is not exactly that or not a date. */
export function parseApiDate(text: string): number | undefined {
  if (!API_DATE.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) || formatApiDate(ms) !== text ? undefined : ms;
}

function pad2(n: number): string {
  return String(n).padStart(2, "0");
}
