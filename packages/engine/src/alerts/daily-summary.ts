import { parseCron } from "../definitions/cron";
import { parseTimeOfDay, type DailySummaryConfig } from "../definitions/alerts";
import { dayIn, formatDateKey, startOfDay } from "../partitions/calendar";
import type { DayFacts } from "../storage/alerts/summary-facts";
import type { AlertEventInput } from "../storage/alerts/record-alert-event";

const DEFAULT_TIMEZONE = "Europe/Paris";

/** The day a summary reports on, with its bounds (a calendar day in the summary's timezone). */
export interface SummaryDay {
  readonly date: string;
  readonly from: Date;
  readonly to: Date;
}

/**
 * The day whose summary is due at `now`: yesterday (in the summary's timezone) once today's
 * `at` has passed, else undefined. Across daylight-saving changes `at` is a wall-clock time, as
 * for schedules.
 *
 * @example
 * dueSummaryDay({ at: "08:00" }, new Date("2025-03-30T06:30:00Z"))?.date // "2025-03-29"
 */
export function dueSummaryDay(summary: DailySummaryConfig, now: Date): SummaryDay | undefined {
  const timezone = summary.timezone ?? DEFAULT_TIMEZONE;
  const minutes = parseTimeOfDay(summary.at);
  if (minutes === undefined) return undefined;
  const today = dayIn(timezone, now);
  const cron = parseCron(`${minutes % 60} ${Math.floor(minutes / 60)} * * *`, timezone);
  const sendAt = cron.next(new Date(startOfDay(today, timezone).getTime() - 1));
  if (!sendAt || sendAt.getTime() > now.getTime()) return undefined;
  return {
    date: formatDateKey(today - 1),
    from: startOfDay(today - 1, timezone),
    to: startOfDay(today, timezone),
  };
}

/** The `daily_summary` event of a day, from what storage knows and the overdue assets. */
export function summaryEvent(
  day: SummaryDay,
  facts: DayFacts,
  overdue: readonly string[],
): AlertEventInput {
  const checksFailed = Object.values(facts.checksFailed).reduce((a, b) => a + b, 0);
  const totalRows = Object.values(facts.rowsByAsset).reduce((a, b) => a + b, 0);
  const number = (n: number): string => n.toLocaleString("en-US");
  const lines = [
    ...Object.entries(facts.rowsByAsset)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([asset, rows]) => `${asset}: ${number(rows)} rows`),
    ...Object.entries(facts.checksFailed)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([check, n]) => `check failed: ${check}${n > 1 ? ` (${n} times)` : ""}`),
    ...overdue.map((asset) => `overdue: ${asset}`),
  ];
  return {
    kind: "daily_summary",
    dedupeKey: `daily_summary:${day.date}`,
    subject:
      `Daily summary for ${day.date}: ${facts.runsSucceeded} run(s) succeeded, ` +
      `${facts.runsFailed} failed, ${checksFailed} check(s) failed, ${overdue.length} asset(s) overdue`,
    payload: {
      date: day.date,
      runsSucceeded: facts.runsSucceeded,
      runsFailed: facts.runsFailed,
      checksFailed,
      assetsOverdue: overdue.length,
      materializations: facts.materializations,
      rowsBuilt: totalRows,
      rowsByAsset: facts.rowsByAsset,
      overdue: [...overdue],
      lines,
    },
  };
}
