import { Cron } from "croner";
import { isValidTimezone } from "../partitions/calendar";

/**
 * A cron expression read in a timezone: the instants it fires at. Five fields (minute hour
 * day-of-month month day-of-week) or six (seconds first), with the usual `*`, lists, ranges and
 * steps, and nicknames such as `@daily`.
 *
 * Across daylight-saving changes every calendar day fires once per matching wall-clock time:
 * a time that does not exist that day (02:30 on the last Sunday of March in Paris) fires at the
 * first instant after the gap (03:00), and a time that happens twice (02:30 on the last Sunday
 * of October) fires only the first time.
 */
export interface CronSchedule {
  readonly expression: string;
  readonly timezone: string;
  /** The first instant strictly after `after`, or undefined if the expression never fires again. */
  next(after: Date): Date | undefined;
  /** Up to `count` instants strictly before `before`, newest first. */
  previous(before: Date, count: number): Date[];
}

/**
 * Parses a cron expression; throws an Error naming the problem when the expression or the
 * timezone is invalid (see `cronProblem`).
 *
 * @example
 * parseCron("0 1 * * *", "Europe/Paris").next(new Date("2025-03-29T12:00:00Z"))
 * // 2025-03-30T00:00:00.000Z (01:00 in Paris, still winter time)
 */
export function parseCron(expression: string, timezone: string): CronSchedule {
  const problem = cronProblem(expression, timezone);
  if (problem) throw new Error(problem);
  // `paused`: croner only computes here, it never sets timers of its own.
  const cron = new Cron(expression, { timezone, paused: true });
  return {
    expression,
    timezone,
    next: (after) => cron.nextRun(after) ?? undefined,
    previous: (before, count) => (count > 0 ? cron.previousRuns(count, before) : []),
  };
}

/** What is wrong with a cron expression or its timezone, in words; undefined when both are valid. */
export function cronProblem(expression: string, timezone: string): string | undefined {
  if (!isValidTimezone(timezone)) return `unknown timezone "${timezone}"`;
  if (typeof expression !== "string" || expression.trim().length === 0) {
    return "empty cron expression";
  }
  try {
    const cron = new Cron(expression, { timezone, paused: true });
    // Some mistakes only show when computing (e.g. a day that never exists: 31 February).
    cron.nextRun(new Date(0));
  } catch (error) {
    return `invalid cron expression "${expression}": ${(error as Error).message.replace(/^CronPattern: /, "")}`;
  }
  return undefined;
}
