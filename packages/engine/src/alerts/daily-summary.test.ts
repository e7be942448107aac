import { describe, expect, it } from "vitest";
import { dueSummaryDay } from "./daily-summary";

describe("dueSummaryDay", () => {
  const summary = { at: "08:00", timezone: "Europe/Paris" };

  it("is yesterday once today's time has passed, in the summary's timezone", () => {
    expect(dueSummaryDay(summary, new Date("2025-01-15T06:59:00Z"))).toBeUndefined();
    expect(dueSummaryDay(summary, new Date("2025-01-15T07:00:00Z"))).toEqual({
      date: "2025-01-14",
      from: new Date("2025-01-13T23:00:00Z"),
      to: new Date("2025-01-14T23:00:00Z"),
    });
  });

  it("keeps the wall-clock time across daylight-saving changes; a day lasts 23 or 25 hours", () => {
    // 2025-03-30: Paris moves to UTC+2 at 02:00, so 08:00 is 06:00 UTC.
    expect(dueSummaryDay(summary, new Date("2025-03-30T05:59:00Z"))).toBeUndefined();
    const march = dueSummaryDay(summary, new Date("2025-03-31T06:00:00Z"))!;
    expect(march.date).toBe("2025-03-30");
    expect(march.to.getTime() - march.from.getTime()).toBe(23 * 3_600_000);
    const october = dueSummaryDay(summary, new Date("2025-10-27T07:00:00Z"))!;
    expect(october.date).toBe("2025-10-26");
    expect(october.to.getTime() - october.from.getTime()).toBe(25 * 3_600_000);
  });
});
