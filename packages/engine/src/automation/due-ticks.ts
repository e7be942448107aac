import type { CronSchedule } from "../definitions/cron";

/** How far back a scheduler catches up ticks it missed (while stopped): 7 days. */
export const DEFAULT_CATCH_UP_WINDOW_MS = 7 * 24 * 3_600_000;

export interface DueTicks {
  /** Occurrences inside the catch-up window, oldest first: each one launches one run. */
  readonly launch: readonly Date[];
  /**
   * Occurrences older than the window, oldest first: recorded as SKIPPED, never launched. Only
   * the newest `maxSkipped` of them are listed (a schedule every minute stopped for a month
   * would otherwise write tens of thousands of rows).
   */
  readonly skip: readonly Date[];
}

export interface DueTicksOptions {
  /** The last instant already handled (the latest recorded tick, or when the schedule started). */
  readonly after: Date;
  readonly now: Date;
  /** Occurrences older than `now - windowMs` are skipped. */
  readonly windowMs: number;
  /** At most this many launches per call (the rest come at the next call). Default 1,000. */
  readonly maxLaunch?: number;
  /** Default 100. */
  readonly maxSkipped?: number;
}

/**
 * Pure: the occurrences of a cron schedule in `(after, now]`, split into the ones to launch
 * (within the catch-up window) and the ones too old to launch. Called again with `after` moved
 * to the last tick recorded, it returns nothing twice.
 *
 * @example
 * dueTicks(parseCron("0 1 * * *", "Europe/Paris"), {
 *   after: new Date("2025-03-29T12:00:00Z"),
 *   now: new Date("2025-03-31T12:00:00Z"),
 *   windowMs: DEFAULT_CATCH_UP_WINDOW_MS,
 * }).launch // [2025-03-30T00:00Z, 2025-03-30T23:00Z]: 01:00 in Paris, before and after the change
 */
export function dueTicks(cron: CronSchedule, options: DueTicksOptions): DueTicks {
  const { after, now } = options;
  const maxLaunch = options.maxLaunch ?? 1_000;
  const windowStart = new Date(now.getTime() - Math.max(0, options.windowMs));
  const skip =
    after < windowStart
      ? cron
          .previous(windowStart, options.maxSkipped ?? 100)
          .filter((d) => d > after)
          .reverse()
      : [];
  const launch: Date[] = [];
  // An occurrence exactly at the window's start is still launched.
  let from = after < windowStart ? new Date(windowStart.getTime() - 1) : after;
  while (launch.length < maxLaunch) {
    const next = cron.next(from);
    if (next === undefined || next > now) break;
    launch.push(next);
    from = next;
  }
  return { launch, skip };
}
