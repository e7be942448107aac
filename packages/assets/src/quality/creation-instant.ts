/**
 * The shape of an ISO 8601 instant: date, time, an optional fraction, `Z` or an offset (with or
 * without its colon), as a regular expression. `date_creation_in_day` counts a `dateCreation`
 * of another shape as unreadable.
 */
export const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

/** Milliseconds in the 146,097 days of the Gregorian calendar's 400-year cycle. */
const CYCLE_MS = 146_097 * 86_400_000;

/**
 * The instant PostgreSQL's `dc::timestamptz` gives for a value of INSTANT_SHAPE, in whole
 * milliseconds since 1970 UTC (its microseconds rounded down, as a JavaScript Date holds it);
 * null for another shape, or where the cast fails (what PostgreSQL refuses: year 0000, month
 * 13, June 31, 29 February of a common year, minute 60, second 61, a time of day beyond
 * 24:00:00, an offset beyond ±15:59). It also takes what the cast takes: a second 60 (the next
 * minute) and `24:00:00` (the next midnight). Its fraction
 * is rounded to microseconds as PostgreSQL does (the decimal read as a double, times a million,
 * rounded half to even): `.9999995` is the next second. A test holds it to PostgreSQL's cast.
 */
export function instantMillis(dc: string | null): number | null {
  if (dc === null || !INSTANT_SHAPE.test(dc)) return null;
  const year = digits(dc, 0, 4);
  const month = digits(dc, 5, 2);
  const day = digits(dc, 8, 2);
  const hour = digits(dc, 11, 2);
  const minute = digits(dc, 14, 2);
  const second = digits(dc, 17, 2);
  let at = 19;
  let micros = 0;
  if (dc.charCodeAt(at) === 0x2e /* . */) {
    let end = at + 1;
    while (isDigit(dc.charCodeAt(end))) end++;
    micros = roundHalfEven(Number(dc.slice(at, end)) * 1_000_000);
    at = end;
  }
  let offsetMinutes = 0;
  if (dc.charCodeAt(at) !== 0x5a /* Z */) {
    const hours = digits(dc, at + 1, 2);
    const minutes = digits(dc, dc.length - 2, 2);
    if (hours > 15 || minutes > 59) return null;
    offsetMinutes = (dc.charCodeAt(at) === 0x2d /* - */ ? -1 : 1) * (hours * 60 + minutes);
  }
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null;
  if (minute > 59 || second > 60) return null;
  // As PostgreSQL: hour 24 and second 60 are taken, but never beyond 24:00:00 in all.
  if ((hour * 3600 + minute * 60 + second) * 1_000_000 + micros > 86_400_000_000) return null;
  // Date.UTC reads years 0–99 as 1900–1999: 400 years later is the same calendar.
  const utc = Date.UTC(year + 400, month - 1, day, hour, minute, second) - CYCLE_MS;
  return utc - offsetMinutes * 60_000 + Math.floor(micros / 1000);
}

function digits(text: string, from: number, length: number): number {
  let n = 0;
  for (let i = from; i < from + length; i++) n = n * 10 + text.charCodeAt(i) - 0x30;
  return n;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** C's `rint` in its default mode: to the nearest integer, a half to the even one. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function daysIn(year: number, month: number): number {
  if (month !== 2) return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
}
