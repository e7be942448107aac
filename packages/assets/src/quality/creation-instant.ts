/**
 * The shape of an ISO 8601 instant: date, time, an optional fraction, `Z` or an offset (with or
 * without its colon), as a regular expression. `date_creation_in_day` counts a `dateCreation`
 * of another shape as unreadable.
 */
export const INSTANT_SHAPE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

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
    // Up to six digits are a whole number of microseconds (the product's rounding gives it).
    micros =
      end - at <= 7
        ? digits(dc, at + 1, end - at - 1) * 10 ** (7 - (end - at))
        : roundHalfEven(Number(dc.slice(at, end)) * 1_000_000);
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
  const seconds = ((daysSince1970(year, month, day) * 24 + hour) * 60 + minute) * 60 + second;
  return (seconds - offsetMinutes * 60) * 1000 + Math.floor(micros / 1000);
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (years from March). */
function daysSince1970(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * ((month + 9) % 12) + 2) / 5) + day - 1;
  const dayOfEra =
    yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
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
