import { describe, expect, it } from "vitest";
import { freshnessAlert, freshnessTransition, type FreshnessTarget } from "./freshness-transition";

const at = (iso: string): Date => new Date(iso);
const FRESH = { state: "fresh", since: null, partitionKey: null } as const;
const OVERDUE = {
  state: "overdue",
  since: at("2024-08-05T05:00:00Z"),
  partitionKey: "2024-08-04",
} as const;
const target = (extra: Partial<FreshnessTarget>): FreshnessTarget => ({
  assetKey: "raw/offres",
  state: "fresh",
  since: null,
  partitionKey: null,
  policy: "J-1 by 07:00",
  evaluatedAt: at("2024-08-05T09:00:00Z"),
  ...extra,
});
const overdueTarget = target({ ...OVERDUE });

describe("freshnessTransition", () => {
  it("fresh → overdue, overdue → fresh; nothing when unchanged", () => {
    expect(freshnessTransition(FRESH, overdueTarget)?.kind).toBe("overdue");
    expect(freshnessTransition(OVERDUE, target({}))).toEqual({
      kind: "recovered",
      target: target({}),
      overdueSince: OVERDUE.since,
    });
    expect(freshnessTransition(FRESH, target({}))).toBeUndefined();
    expect(freshnessTransition(OVERDUE, overdueTarget)).toBeUndefined();
  });

  it("an overdue whose oldest missing partition changed moves silently", () => {
    const later = target({
      ...OVERDUE,
      since: at("2024-08-06T05:00:00Z"),
      partitionKey: "2024-08-05",
    });
    expect(freshnessTransition(OVERDUE, later)?.kind).toBe("moved");
  });

  it("a fresh evaluated before the overdue began (a clock behind) recovers nothing", () => {
    expect(
      freshnessTransition(OVERDUE, target({ evaluatedAt: at("2024-08-05T04:59:59Z") })),
    ).toBeUndefined();
    expect(freshnessTransition(OVERDUE, target({ evaluatedAt: OVERDUE.since }))?.kind).toBe(
      "recovered",
    );
  });
});

describe("freshnessAlert", () => {
  it("keys each fact by asset and since, so that it is announced once", () => {
    expect(freshnessAlert({ kind: "overdue", target: overdueTarget })).toMatchObject({
      kind: "freshness_overdue",
      dedupeKey: "freshness_overdue:raw/offres:2024-08-05T05:00:00.000Z",
    });
    expect(
      freshnessAlert({ kind: "recovered", target: target({}), overdueSince: OVERDUE.since }),
    ).toMatchObject({
      kind: "freshness_recovered",
      dedupeKey: "freshness_recovered:raw/offres:2024-08-05T05:00:00.000Z",
      payload: { asset: "raw/offres", overdueSince: "2024-08-05T05:00:00.000Z" },
    });
    expect(freshnessAlert({ kind: "overdue", target: target({ state: "overdue" }) })).toMatchObject(
      {
        dedupeKey: "freshness_overdue:raw/offres:never",
        subject: "raw/offres is overdue: never materialised (J-1 by 07:00)",
      },
    );
  });
});
