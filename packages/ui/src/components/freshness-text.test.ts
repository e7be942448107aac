import { describe, expect, it } from "vitest";
import type { AssetFreshness } from "../api/types";
import { freshnessDetail, freshnessLabel, shortTime } from "./freshness-text";

const overdue: NonNullable<AssetFreshness> = {
  state: "overdue",
  since: "2026-01-05T06:00:00Z",
  partitionKey: "2026-01-04",
  missing: 3,
  deadline: "2026-01-07T06:00:00Z",
  lagSeconds: 2 * 86_400,
  policy: 'previous partition by "0 7 * * *" (Europe/Paris)',
};

describe("freshness in words", () => {
  it("shows the day and time this year, the day alone in another year", () => {
    const now = new Date("2026-03-01T12:00:00Z");
    expect(shortTime("2026-01-05T06:00:00Z", now)).toMatch(/Jan 5, \d\d:00/);
    expect(shortTime("2024-08-02T05:00:00Z", now)).toMatch(/^Aug 2, 2024$/);
  });

  it("labels overdue, never materialised and on-time assets", () => {
    expect(freshnessLabel(overdue)).toMatch(/^Overdue since /);
    expect(freshnessLabel({ ...overdue, since: null, partitionKey: null })).toBe(
      "Overdue · never materialised",
    );
    expect(freshnessLabel({ ...overdue, state: "fresh", since: null })).toBe("On time");
  });

  it("names the missing partitions and the policy in the tooltip", () => {
    const lines = freshnessDetail(overdue).split("\n");
    expect(lines[2]).toBe("partition 2026-01-04 and 2 later missing");
    expect(lines[3]).toBe('policy: previous partition by "0 7 * * *" (Europe/Paris)');
  });
});
