import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AssetDetailBody,
  dailyPartitions,
  defineAsset,
  Definitions,
  PartitionDetailBody,
  staticPartitions,
} from "@lignee/engine";
import { openTestApi, type TestApi } from "./support/api";
import { day, seedMaterialization, seedRun } from "./support/seed-partitions";

/**
 * `GET /api/assets/{key}/partitions/{partition}` over HTTP (`app.request`) against real
 * PostgreSQL: a partition's status and causes, its latest materialisation and the run that made
 * it, its history and checks; and the errors for what does not exist or is malformed.
 */
const definitions = Definitions.create<unknown>({
  assets: [
    defineAsset({
      key: "raw/jours",
      codeVersion: "v2",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      materialize: async () => undefined,
    }),
    defineAsset({ key: "ref/pays", materialize: async () => undefined }),
    defineAsset({
      key: "ref/langues",
      partitions: staticPartitions(["fr", "de"]),
      materialize: async () => undefined,
    }),
    defineAsset({
      key: "mart/colonnes",
      materialize: async () => undefined,
      details: async () => ({
        columns: [{ name: "code", type: "text", description: "The code." }],
        code: { language: "sql", raw: "select 1 as code" },
      }),
    }),
  ],
}) as Definitions<unknown>;

let t: TestApi;
let firstRun: string;
let secondRun: string;

beforeAll(async () => {
  t = await openTestApi(definitions);
  firstRun = await seedRun(t.storage, ["raw/jours"]);
  secondRun = await seedRun(t.storage, ["raw/jours"], { reason: "rerun" });
  // D3 and D2 by the first run; D2 again by the second (history); D4 with an older code version.
  await seedMaterialization(t.storage, definitions, {
    runId: firstRun,
    assetKey: "raw/jours",
    partitions: [day(3), day(2)],
    metadata: { rows: 100 },
  });
  await seedMaterialization(t.storage, definitions, {
    runId: secondRun,
    assetKey: "raw/jours",
    partitions: [day(2)],
    metadata: { rows: 120, source: "api" },
  });
  await seedMaterialization(t.storage, definitions, {
    runId: firstRun,
    assetKey: "raw/jours",
    partitions: [day(4)],
    metadata: { rows: 90 },
    codeVersion: "v1",
  });
  for (const [name, passed, partition] of [
    ["rows_positive", true, day(2).key],
    ["no_duplicates", false, day(2).key],
    ["rows_positive", true, day(3).key],
  ] as const) {
    await t.storage.recordCheckResult({
      runId: secondRun,
      assetKey: "raw/jours",
      partitionKey: partition,
      checkName: name,
      passed,
      severity: passed ? "error" : "warn",
      description: passed ? "ok" : "3 duplicate ids",
    });
  }
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function partition(path: string) {
  const res = await t.get(path);
  expect(res.status, await res.clone().text()).toBe(200);
  return PartitionDetailBody.parse(await res.json());
}

describe("GET /api/assets/{key}/partitions/{partition}", () => {
  it("answers a partition's latest materialisation, its run, history, metadata and checks", async () => {
    const d2 = await partition(`/api/assets/raw/jours/partitions/${day(2).key}`);
    expect(d2).toMatchObject({
      assetKey: "raw/jours",
      partitionKey: day(2).key,
      status: "FRESH",
      causes: [],
      latest: {
        runId: secondRun,
        partitionKey: day(2).key,
        metadata: { rows: 120, source: "api" },
      },
      run: { id: secondRun, status: "SUCCESS", tags: { reason: "rerun" } },
    });
    expect(d2.history.map((m) => [m.runId, m.metadata.rows])).toEqual([
      [secondRun, 120],
      [firstRun, 100],
    ]);
    expect(d2.checks.map((c) => [c.checkName, c.passed, c.severity, c.description]).sort()).toEqual(
      [
        ["no_duplicates", false, "warn", "3 duplicate ids"],
        ["rows_positive", true, "error", "ok"],
      ],
    );
    // Only this partition's checks and history.
    expect(d2.checks.every((c) => c.partitionKey === day(2).key)).toBe(true);
  });

  it("says why a stale partition is stale", async () => {
    const d4 = await partition(`/api/assets/raw/jours/partitions/${day(4).key}`);
    expect(d4.status).toBe("STALE");
    expect(d4.causes).toEqual([
      { kind: "code-version-changed", description: expect.stringMatching(/v1.*v2/) },
    ]);
    expect(d4.run?.id).toBe(firstRun);
  });

  it("answers a partition never materialised as MISSING with no history", async () => {
    const d10 = await partition(`/api/assets/raw/jours/partitions/${day(10).key}`);
    expect(d10).toMatchObject({
      status: "MISSING",
      latest: null,
      run: null,
      history: [],
      checks: [],
    });
    const de = await partition("/api/assets/ref/langues/partitions/de");
    expect(de.status).toBe("MISSING");
  });

  it("refuses a malformed partition key with 400", async () => {
    for (const key of ["2024-02-30", "hier", "2024-8-1"]) {
      const res = await t.get(`/api/assets/raw/jours/partitions/${key}`);
      expect(res.status, key).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(
        /invalid partition key .*not a valid YYYY-MM-DD date/,
      );
    }
  });

  it("answers 404 with a clear error for an unknown asset or a partition the asset does not have", async () => {
    const cases: [string, RegExp][] = [
      ["/api/assets/raw/nope/partitions/2024-08-01", /Unknown asset "raw\/nope"/i],
      [
        "/api/assets/raw/jours/partitions/2023-12-31",
        /raw\/jours has no partition "2023-12-31".*out of range/,
      ],
      [`/api/assets/raw/jours/partitions/${day(-5).key}`, /has no partition .*out of range/],
      ["/api/assets/ref/langues/partitions/es", /ref\/langues has no partition "es"/],
      ["/api/assets/ref/pays/partitions/2024-08-01", /ref\/pays is not partitioned/],
    ];
    for (const [path, message] of cases) {
      const res = await t.get(path);
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as { error: string }).error, path).toMatch(message);
    }
  });
});

describe("GET /api/assets/{key}: columns and code", () => {
  it("shows the columns and code an asset describes, read when asked for", async () => {
    const res = await t.get("/api/assets/mart/colonnes");
    const detail = AssetDetailBody.parse(await res.json());
    expect(detail.columns).toEqual([{ name: "code", type: "text", description: "The code." }]);
    expect(detail.code).toEqual({ language: "sql", raw: "select 1 as code", compiled: null });
  });

  it("answers no columns and no code for an asset that describes none", async () => {
    const detail = AssetDetailBody.parse(await (await t.get("/api/assets/ref/pays")).json());
    expect(detail.columns).toEqual([]);
    expect(detail.code).toBeNull();
  });
});
