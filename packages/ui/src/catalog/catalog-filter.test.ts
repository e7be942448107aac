import { describe, expect, it } from "vitest";
import type { AssetNode } from "../api/types";
import {
  applyCatalogFilter,
  readCatalogFilter,
  tagsOf,
  writeCatalogFilter,
} from "./catalog-filter";

const node = (key: string, extra: Partial<AssetNode> = {}): AssetNode => ({
  key,
  group: "g",
  status: "FRESH",
  partitioned: false,
  total: 1,
  counts: { MISSING: 0, FRESH: 1, STALE: 0, FAILED: 0, RUNNING: 0 },
  causes: [],
  checks: { total: 0, passed: 0, failed: [] },
  kind: "typescript",
  tags: {},
  owners: [],
  lastMaterializedAt: null,
  freshness: null,
  configSchema: null,
  health: {
    materialized: 1,
    total: 1,
    fresh: 1,
    stale: 0,
    failed: 0,
    missing: 0,
    waiting: 0,
    running: 0,
    worst: "FRESH",
  },
  ...extra,
});

const nodes = [
  node("raw/offres", { group: "collecte", partitioned: true, total: 500, tags: { source: "ft" } }),
  node("raw/naf", {
    group: "referentiels",
    status: "STALE",
    lastMaterializedAt: "2026-01-02T00:00:00Z",
  }),
  node("emploi/fait_offre", {
    group: "emploi",
    kind: "dbt",
    status: "MISSING",
    tags: { kind: "dbt" },
    checks: { total: 2, passed: 1, failed: [{ name: "not_null", severity: "error" }] },
    lastMaterializedAt: "2026-01-01T00:00:00Z",
  }),
];
const keys = (query: string) =>
  applyCatalogFilter(nodes, readCatalogFilter(new URLSearchParams(query))).map((n) => n.key);

describe("the catalog's filters", () => {
  it("keeps the assets matching every filter, sorted by key by default", () => {
    expect(keys("")).toEqual(["emploi/fait_offre", "raw/naf", "raw/offres"]);
    expect(keys("q=RAW")).toEqual(["raw/naf", "raw/offres"]);
    expect(keys("q=raw off")).toEqual(["raw/offres"]);
    expect(keys("group=referentiels")).toEqual(["raw/naf"]);
    expect(keys("kind=dbt")).toEqual(["emploi/fait_offre"]);
    expect(keys("status=STALE")).toEqual(["raw/naf"]);
    expect(keys("tag=source%3Dft")).toEqual(["raw/offres"]);
    expect(keys("q=raw&status=MISSING")).toEqual([]);
    // Unknown values are no filter.
    expect(keys("kind=java&status=BLUE&sort=size")).toHaveLength(3);
  });

  it("sorts by a column either way; never-materialised assets are the oldest", () => {
    expect(keys("sort=lastMaterialized")).toEqual(["raw/offres", "emploi/fait_offre", "raw/naf"]);
    expect(keys("sort=lastMaterialized&order=desc")).toEqual([
      "raw/naf",
      "emploi/fait_offre",
      "raw/offres",
    ]);
    expect(keys("sort=partitions&order=desc")[0]).toBe("raw/offres");
    expect(keys("sort=checks&order=desc")[0]).toBe("emploi/fait_offre");
    expect(keys("sort=status")).toEqual(["raw/offres", "raw/naf", "emploi/fait_offre"]);
  });

  it("filters and sorts by freshness: overdue, on time, or no policy", () => {
    const policy = 'previous partition by "0 7 * * *" (Europe/Paris)';
    const withFreshness = [
      node("a/late", {
        freshness: {
          state: "overdue",
          since: "2026-01-02T06:00:00Z",
          partitionKey: "2026-01-01",
          missing: 1,
          deadline: "2026-01-02T06:00:00Z",
          lagSeconds: 3600,
          policy,
        },
      }),
      node("b/ontime", {
        freshness: {
          state: "fresh",
          since: null,
          partitionKey: null,
          missing: null,
          deadline: "2026-01-02T06:00:00Z",
          lagSeconds: 0,
          policy,
        },
      }),
      node("c/none"),
    ];
    const pick = (query: string) =>
      applyCatalogFilter(withFreshness, readCatalogFilter(new URLSearchParams(query))).map(
        (n) => n.key,
      );
    expect(pick("freshness=overdue")).toEqual(["a/late"]);
    expect(pick("freshness=on-time")).toEqual(["b/ontime"]);
    expect(pick("freshness=none")).toEqual(["c/none"]);
    expect(pick("sort=freshness&order=desc")).toEqual(["a/late", "b/ontime", "c/none"]);
  });

  it("round-trips through the URL query, defaults left out", () => {
    const query =
      "q=offres&group=collecte&kind=dbt&status=STALE&tag=a%3Db&freshness=overdue&sort=checks&order=desc";
    expect(writeCatalogFilter(readCatalogFilter(new URLSearchParams(query)))).toBe(query);
    expect(writeCatalogFilter(readCatalogFilter(new URLSearchParams("sort=key")))).toBe("");
  });

  it("lists every tag as name=value", () => {
    expect(tagsOf(nodes)).toEqual(["kind=dbt", "source=ft"]);
  });
});
