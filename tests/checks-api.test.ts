import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dailyPartitions, defineAsset, defineCheck, Definitions } from "@lignee/engine";
import type { AssetChecks as AssetChecksBody } from "@lignee/engine/wire";
import { openTestApi, type TestApi } from "./support/api";

/**
 * The checks API over HTTP against real PostgreSQL: listing an asset's checks, switching one
 * off and on, its history, checks-only runs; unknown assets or checks are 404, bad bodies 400,
 * and nothing is created by a refused request.
 */
const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/jours",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      checkSpecs: [{ name: "dbt_unique", severity: "warn" }],
      materialize: async () => undefined,
    }),
    defineAsset({ key: "ref/pays", materialize: async () => undefined }),
  ],
  checks: [
    defineCheck({
      asset: "raw/jours",
      name: "rows_positive",
      severity: "error",
      description: "at least one row per day",
      evaluate: async () => ({ passed: true }),
    }),
  ],
}) as Definitions<unknown>;

let t: TestApi;

beforeAll(async () => {
  // Runs are queued (no worker here): a checks-only run is recorded, not executed.
  t = await openTestApi(definitions, { queue: { maxAttempts: 1 } });
  for (const [key, passed] of [
    ["2024-01-01", true],
    ["2024-01-02", false],
    ["2024-01-02", true],
  ] as const) {
    await t.storage.recordCheckResult({
      runId: "seed",
      assetKey: "raw/jours",
      checkName: "rows_positive",
      partitionKey: key,
      passed,
      severity: "error",
      description: passed ? "12 rows" : "0 rows",
    });
  }
});

afterAll(async () => {
  await t?.close();
});

const put = async (path: string, body: unknown): Promise<Response> =>
  await t.api.app.request(path, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("checks API", () => {
  it("lists every check of an asset with its switch and latest result per partition", async () => {
    const res = await t.get("/api/assets/raw/jours/checks");
    expect(res.status).toBe(200);
    const body = (await res.json()) as AssetChecksBody;
    expect(body.checks.map((c) => [c.name, c.source, c.severity, c.enabled])).toEqual([
      ["rows_positive", "check", "error", true],
      ["dbt_unique", "materialization", "warn", true],
    ]);
    const rows = body.checks[0]!;
    expect(rows.passedPartitions).toBe(2);
    expect(rows.failedPartitions).toBe(0);
    expect(rows.partitions.map((p) => p.partitionKey)).toEqual(["2024-01-01", "2024-01-02"]);
  });

  it("pages a partition's history, newest first", async () => {
    const first = await t.get(
      "/api/assets/raw/jours/checks/rows_positive/history?partition=2024-01-02&limit=1",
    );
    const page = (await first.json()) as { results: { passed: boolean }[]; nextBefore: number };
    expect(page.results.map((r) => r.passed)).toEqual([true]);
    const second = await t.get(
      `/api/assets/raw/jours/checks/rows_positive/history?partition=2024-01-02&limit=1&before=${page.nextBefore}`,
    );
    const older = (await second.json()) as { results: { description: string }[] };
    expect(older.results.map((r) => r.description)).toEqual(["0 rows"]);
  });

  it("switches a check off and on", async () => {
    const off = await put("/api/assets/raw/jours/checks/rows_positive", { enabled: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({
      assetKey: "raw/jours",
      name: "rows_positive",
      enabled: false,
    });
    const listed = (await (await t.get("/api/assets/raw/jours/checks")).json()) as AssetChecksBody;
    expect(listed.checks[0]).toMatchObject({ enabled: false, switchedBy: "api" });
    await put("/api/assets/raw/jours/checks/rows_positive", { enabled: true });
    const again = (await (await t.get("/api/assets/raw/jours/checks")).json()) as AssetChecksBody;
    expect(again.checks[0]?.enabled).toBe(true);
  });

  it("answers 404 for an unknown asset or check and 400 for a bad body, creating nothing", async () => {
    expect((await t.get("/api/assets/raw/nope/checks")).status).toBe(404);
    const unknown = await put("/api/assets/raw/jours/checks/nope", { enabled: false });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: string }).error).toContain('Unknown check "nope"');
    expect(
      (await put("/api/assets/raw/jours/checks/rows_positive", { enabled: "no" })).status,
    ).toBe(400);
    expect((await t.storage.checkSwitches()).map((s) => s.enabled)).toEqual([true]);
    const noCheck = await t.post("/api/checks/run", { selection: "ref/pays" });
    expect(noCheck.status).toBe(400);
    expect(((await noCheck.json()) as { error: string }).error).toContain("no check to run");
    expect(await t.count("runs")).toBe(0);
  });

  it("starts a checks-only run", async () => {
    const res = await t.post("/api/checks/run", {
      selection: "raw/jours",
      partition: "2024-01-03",
    });
    expect(res.status).toBe(201);
    const { runId } = (await res.json()) as { runId: string };
    const run = await t.storage.getRun(runId);
    expect(run?.tags["lignee/checks-only"]).toBe("true");
  });
});
