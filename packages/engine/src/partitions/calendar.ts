import { DateTime, IANAZone } from "luxon";

/**
 * Calendar days as integers ("epoch days": days since 1970-01-01), so that partition maths is
 * integer arithmetic. Timezones matter only where a day meets an instant: which day it is "now"
 * somewhere, and when a day starts and ends there (23 h or 25 h on DST changes).
 */
const DATE_KEY = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** `2024-05-23` → epoch day, or undefined when the text is not a real calendar date. */
export function parseDateKey(key: string): number | undefined {
  const m = DATE_KEY.exec(key);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    return undefined;
  }
  return ms / MS_PER_DAY;
}

export function formatDateKey(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** The calendar day that `now` falls on in `timezone`. */
export function dayIn(timezone: string, now: Date): number {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  return Date.UTC(local.year, local.month - 1, local.day) / MS_PER_DAY;
}

/**
 * The instant a calendar day starts in `timezone`: local midnight; the first instant after it
 * when midnight is skipped (America/Santiago, 2024-09-08); the first of the two when it happens
 * twice (America/Havana, 2024-11-03), where luxon gives the second.
 */
export function startOfDay(day: number, timezone: string): Date {
  const d = new Date(day * MS_PER_DAY);
  let first = DateTime.fromObject(
    { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() },
    { zone: timezone },
  )
    .startOf("day")
    .toMillis();
  // Midnight under the offset in force a little before: the earlier occurrence, if it is one.
  const zone = IANAZone.create(timezone);
  for (const probe of [first - 3 * MS_PER_HOUR, first - MS_PER_HOUR]) {
    const offset = zone.offset(probe);
    const midnight = day * MS_PER_DAY - offset * MS_PER_MINUTE;
    if (midnight < first && zone.offset(midnight) === offset) first = midnight;
  }
  return new Date(first);
}

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;

/** An IANA timezone name such as `Europe/Paris` or `UTC` (not "local" or "system"). */
export function isValidTimezone(timezone: string): boolean {
  let valid = VALID_TIMEZONES.get(timezone);
  if (valid === undefined) {
    valid = checkTimezone(timezone);
    VALID_TIMEZONES.set(timezone, valid);
  }
  return valid;
}

/** Checked once per name: creating an Intl.DateTimeFormat is costly, and definitions repeat zones. */
const VALID_TIMEZONES = new Map<string, boolean>();

function checkTimezone(timezone: string): boolean {
  if (!/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) return false;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    return false;
  }
  return !["local", "system", "default"].includes(timezone.toLowerCase());
}
