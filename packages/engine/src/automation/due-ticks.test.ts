import { describe, expect, it } from "vitest";
import { cronProblem, parseCron } from "../definitions/cron";
import { DEFAULT_CATCH_UP_WINDOW_MS, dueTicks } from "./due-ticks";
import { automationRunId } from "./run-id";

const iso = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());
const at = (text: string): Date => new Date(text);
const HOUR = 3_600_000;

/** Every occurrence in [from, to), as ISO strings. */
function occurrences(expression: string, timezone: string, from: string, to: string): string[] {
  const cron = parseCron(expression, timezone);
  const out: string[] = [];
  let d = cron.next(new Date(at(from).getTime() - 1));
  while (d && d < at(to)) {
    out.push(d.toISOString());
    d = cron.next(d);
  }
  return out;
}

describe("cron schedules across daylight-saving changes (Europe/Paris)", () => {
  it("01:00 every day fires once on 2025-03-30 (23 h day) and once on 2025-10-26 (25 h day)", () => {
    // 01:00 is before both changes (02:00 → 03:00 in March, 03:00 → 02:00 in October).
    expect(
      occurrences("0 1 * * *", "Europe/Paris", "2025-03-29T00:00Z", "2025-03-31T12:00Z"),
    ).toEqual(["2025-03-29T00:00:00.000Z", "2025-03-30T00:00:00.000Z", "2025-03-30T23:00:00.000Z"]);
    expect(
      occurrences("0 1 * * *", "Europe/Paris", "2025-10-25T00:00Z", "2025-10-28T00:00Z"),
    ).toEqual(
      // 01:00 CEST on the 26th (the change comes at 03:00), then 01:00 CET on the 27th.
      ["2025-10-25T23:00:00.000Z", "2025-10-27T00:00:00.000Z"],
    );
  });

  it("a wall-clock time inside the spring gap fires once, at the end of the gap", () => {
    // 02:30 does not exist on 2025-03-30: the tick comes at 03:00 CEST (01:00Z), once.
    expect(
      occurrences("30 2 * * *", "Europe/Paris", "2025-03-29T00:00Z", "2025-04-01T00:00Z"),
    ).toEqual(["2025-03-29T01:30:00.000Z", "2025-03-30T01:00:00.000Z", "2025-03-31T00:30:00.000Z"]);
  });

  it("a wall-clock time inside the autumn overlap fires once, the first time", () => {
    // 02:30 happens twice on 2025-10-26 (CEST, then CET): one tick, at 02:30 CEST.
    expect(
      occurrences("30 2 * * *", "Europe/Paris", "2025-10-25T00:00Z", "2025-10-28T00:00Z"),
    ).toEqual(["2025-10-25T00:30:00.000Z", "2025-10-26T00:30:00.000Z", "2025-10-27T01:30:00.000Z"]);
  });

  it("an hourly schedule has 23 ticks on the spring day and 25 on the autumn day", () => {
    expect(
      occurrences("0 * * * *", "Europe/Paris", "2025-03-29T23:00Z", "2025-03-30T22:00Z"),
    ).toHaveLength(23);
    expect(
      occurrences("0 * * * *", "Europe/Paris", "2025-10-25T22:00Z", "2025-10-26T23:00Z"),
    ).toHaveLength(25);
  });
});

describe("cronProblem", () => {
  it("accepts valid expressions and names what is wrong with the others", () => {
    expect(cronProblem("0 1 * * *", "Europe/Paris")).toBeUndefined();
    expect(cronProblem("*/5 * * * * *", "UTC")).toBeUndefined();
    expect(cronProblem("@daily", "UTC")).toBeUndefined();
    expect(cronProblem("61 * * * *", "UTC")).toMatch(
      /invalid cron expression "61 \* \* \* \*".*minute/,
    );
    expect(cronProblem("every day", "UTC")).toMatch(/invalid cron expression/);
    expect(cronProblem("", "UTC")).toBe("empty cron expression");
    expect(cronProblem("0 1 * * *", "Mars/Olympus")).toBe('unknown timezone "Mars/Olympus"');
    expect(() => parseCron("0 25 * * *", "UTC")).toThrow(/hour/);
  });
});

describe("dueTicks", () => {
  const daily = parseCron("0 1 * * *", "Europe/Paris");

  it("launches every occurrence in (after, now], oldest first, across both DST days", () => {
    const due = dueTicks(daily, {
      after: at("2025-03-29T12:00:00Z"),
      now: at("2025-03-31T12:00:00Z"),
      windowMs: DEFAULT_CATCH_UP_WINDOW_MS,
    });
    expect(iso(due.launch)).toEqual(["2025-03-30T00:00:00.000Z", "2025-03-30T23:00:00.000Z"]);
    expect(due.skip).toEqual([]);

    const autumn = dueTicks(daily, {
      after: at("2025-10-25T12:00:00Z"),
      now: at("2025-10-27T12:00:00Z"),
      windowMs: DEFAULT_CATCH_UP_WINDOW_MS,
    });
    expect(iso(autumn.launch)).toEqual(["2025-10-25T23:00:00.000Z", "2025-10-27T00:00:00.000Z"]);
  });

  it("fires a tick at its exact instant, not before", () => {
    const tick = at("2025-03-30T00:00:00Z");
    const before = dueTicks(daily, {
      after: at("2025-03-29T12:00:00Z"),
      now: new Date(tick.getTime() - 1),
      windowMs: HOUR,
    });
    expect(before.launch).toEqual([]);
    const onTime = dueTicks(daily, {
      after: at("2025-03-29T12:00:00Z"),
      now: tick,
      windowMs: HOUR,
    });
    expect(iso(onTime.launch)).toEqual([tick.toISOString()]);
    // Asked again from the tick just recorded: nothing new.
    expect(dueTicks(daily, { after: tick, now: tick, windowMs: HOUR }).launch).toEqual([]);
  });

  it("catches up missed ticks within the window and skips older ones", () => {
    const due = dueTicks(daily, {
      after: at("2025-03-20T00:30:00Z"),
      now: at("2025-03-31T12:00:00Z"),
      windowMs: 3 * 24 * HOUR,
    });
    // Window starts 2025-03-28T12:00Z: 29, 30, 31 (Paris) are launched.
    expect(iso(due.launch)).toEqual([
      "2025-03-29T00:00:00.000Z",
      "2025-03-30T00:00:00.000Z",
      "2025-03-30T23:00:00.000Z",
    ]);
    expect(due.skip.map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2025-03-21",
      "2025-03-22",
      "2025-03-23",
      "2025-03-24",
      "2025-03-25",
      "2025-03-26",
      "2025-03-27",
      "2025-03-28",
    ]);
  });

  it("an occurrence exactly at the window's start is launched, not skipped", () => {
    const due = dueTicks(daily, {
      after: at("2025-03-25T00:00:00Z"),
      now: at("2025-03-30T00:00:00Z"),
      windowMs: 24 * HOUR,
    });
    expect(iso(due.launch)).toEqual(["2025-03-29T00:00:00.000Z", "2025-03-30T00:00:00.000Z"]);
    expect(iso(due.skip).at(-1)).toBe("2025-03-28T00:00:00.000Z");
  });

  it("bounds what one call returns", () => {
    const everySecond = parseCron("* * * * * *", "UTC");
    const due = dueTicks(everySecond, {
      after: at("2025-01-01T00:00:00Z"),
      now: at("2025-01-02T00:00:00Z"),
      windowMs: HOUR,
      maxLaunch: 10,
      maxSkipped: 5,
    });
    expect(due.launch).toHaveLength(10);
    expect(due.launch[0]!.toISOString()).toBe("2025-01-01T23:00:00.000Z");
    expect(iso(due.skip)).toEqual([
      "2025-01-01T22:59:55.000Z",
      "2025-01-01T22:59:56.000Z",
      "2025-01-01T22:59:57.000Z",
      "2025-01-01T22:59:58.000Z",
      "2025-01-01T22:59:59.000Z",
    ]);
  });
});

describe("automationRunId", () => {
  it("is a stable version-5 UUID of its parts", () => {
    const a = automationRunId(["schedule", "daily", "2025-03-30T00:00:00.000Z"]);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(automationRunId(["schedule", "daily", "2025-03-30T00:00:00.000Z"])).toBe(a);
    expect(automationRunId(["schedule", "daily", "2025-03-30T23:00:00.000Z"])).not.toBe(a);
    expect(automationRunId(["a:b", "c"])).not.toBe(automationRunId(["a", "b:c"]));
  });
});
