import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  Definitions,
  PostgresAutomationStore,
  PostgresStorage,
  runCli,
  Scheduler,
  Worker,
  z,
  defineAsset,
  defineCheck,
  defineSchedule,
  defineSensor,
  type ScheduleDefinition,
} from "@lignee/engine";
import type { ErrorResponse, RunCreated, RunDetail } from "@lignee/engine/wire";
import { openTestApi, type TestApi } from "./support/api";
import { fixture } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";
import { waitFor } from "./support/wait";
import runConfigDefinitions from "./fixtures/run-config";

/**
 * Run config against real PostgreSQL: validated before anything is queued (API: 400 with every
 * issue; CLI: exit 2), stored with the run with the schema's defaults, given to the asset as
 * `ctx.config` by the worker that executes it, kept by a re-execution, and given by a schedule.
 */
const definitions = runConfigDefinitions as Definitions<unknown>;

/** The metadata each materialisation of `asset` recorded (the config the asset saw), by run. */
async function seen(
  sql: pg.Client,
  runId: string,
  asset = "demo/collect",
): Promise<Record<string, unknown>[]> {
  const rows = await sql.query<{ metadata: Record<string, unknown> }>(
    `SELECT metadata FROM lignee.materializations WHERE run_id = $1 AND asset_key = $2
     ORDER BY partition_index`,
    [runId, asset],
  );
  // Recorded metadata also holds what the engine adds (durations): only the asset's own fields.
  return rows.rows.map((r) =>
    Object.fromEntries(
      Object.entries(r.metadata).filter(([k]) =>
        ["pageSize", "mode", "label", "dryRun", "threshold"].includes(k),
      ),
    ),
  );
}

describe("run config through the API and a worker", () => {
  let t: TestApi;
  let worker: Worker;

  beforeAll(async () => {
    t = await openTestApi(definitions, { queue: { maxAttempts: 1 } });
    worker = new Worker({
      definitions,
      storage: t.storage,
      queue: t.queue!,
      environment: { databaseUrl: t.url, home: "" },
      pollMs: 50,
      leaseMs: 5_000,
      log: () => undefined,
    });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await t?.close();
  });

  const finished = (runId: string) =>
    waitFor(`run ${runId} to end`, async () => {
      const body = (await (await t.get(`/api/runs/${runId}`)).json()) as RunDetail;
      return ["SUCCESS", "FAILURE", "CANCELED"].includes(body.run.status) ? body.run : undefined;
    });

  it("stores the validated config with its defaults, and each asset gets its own", async () => {
    const res = await t.post("/api/runs", {
      selection: "demo/collect+",
      partition: "2024-01-02",
      config: { "demo/collect": { pageSize: 20, label: "essai" } },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { runId } = (await res.json()) as RunCreated;
    const run = await finished(runId);
    expect(run.status).toBe("SUCCESS");
    expect(run.config).toEqual({
      "demo/collect": { pageSize: 20, mode: "full", label: "essai", dryRun: false },
      "demo/summary": { threshold: 0.5 },
    });
    expect(await seen(t.sql, runId)).toEqual([
      { pageSize: 20, mode: "full", label: "essai", dryRun: false },
    ]);
    expect(await seen(t.sql, runId, "demo/summary")).toEqual([{ threshold: 0.5 }]);
  });

  it("refuses invalid config with every issue listed, and queues nothing", async () => {
    const before = await t.count("runs");
    const res = await t.post("/api/runs", {
      selection: "demo/collect+",
      partition: "2024-01-02",
      config: {
        "demo/collect": { pageSize: 500, mode: "everything" },
        "demo/summary": { threshold: "high" },
      },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as ErrorResponse;
    expect(body.error).toMatch(/^Invalid config: "demo\/collect\.pageSize": /);
    expect(body.issues?.map((i) => [i.assetKey, i.path])).toEqual([
      ["demo/collect", ["pageSize"]],
      ["demo/collect", ["mode"]],
      ["demo/summary", ["threshold"]],
    ]);
    // A preview validates the config as a launch does.
    const preview = await t.post("/api/runs", {
      selection: "demo/collect",
      partition: "2024-01-02",
      preview: true,
      config: { "demo/collect": { pageSize: 0 } },
    });
    expect(preview.status).toBe(400);
    expect(((await preview.json()) as ErrorResponse).issues?.[0]?.path).toEqual(["pageSize"]);
    expect(await t.count("runs")).toBe(before);
  });

  it("refuses config for an asset the run does not materialize, or one that takes none", async () => {
    const before = await t.count("runs");
    for (const [config, message] of [
      [{ "demo/summary": { threshold: 0.1 } }, "the run does not materialize this asset"],
      [{ "demo/plain": {} }, "the run does not materialize this asset"],
      [{ "demo/collect": [] }, "expected object"],
    ] as const) {
      const res = await t.post("/api/runs", {
        selection: "demo/collect",
        partition: "2024-01-02",
        config,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorResponse).issues?.[0]?.message).toContain(message);
    }
    const plain = await t.post("/api/runs", {
      selection: "demo/plain",
      config: { "demo/plain": {} },
    });
    expect(((await plain.json()) as ErrorResponse).issues?.[0]?.message).toBe(
      "this asset takes no config",
    );
    expect(await t.count("runs")).toBe(before);
  });

  it("refuses config over 64 KiB, and lists at most 50 issues with a count of the rest", async () => {
    const before = await t.count("runs");
    const big = await t.post("/api/runs", {
      selection: "demo/collect",
      partition: "2024-01-02",
      config: { "demo/collect": { label: "x".repeat(70_000) } },
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as ErrorResponse).error).toMatch(
      /^Invalid config: it is 70,\d{3} bytes as JSON, over the limit of 65,536 \(64 KiB\)$/,
    );
    const many = await t.post("/api/runs", {
      selection: "demo/collect",
      partition: "2024-01-02",
      config: Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`demo/x${i}`, {}])),
    });
    expect(many.status).toBe(400);
    const body = (await many.json()) as ErrorResponse;
    expect(body.issues).toHaveLength(50);
    expect(body.issuesOmitted).toBe(70);
    expect(body.error).toMatch(/\(and 119 more issues\)$/);
    expect(await t.count("runs")).toBe(before);
  });

  it("lists runs without their config, which a run's detail answers", async () => {
    const res = await t.post("/api/runs", {
      selection: "demo/collect",
      partition: "2024-01-06",
      config: { "demo/collect": { pageSize: 3 } },
    });
    const { runId } = (await res.json()) as RunCreated;
    const list = (await (await t.get("/api/runs")).json()) as { runs: Record<string, unknown>[] };
    const item = list.runs.find((r) => r.id === runId)!;
    expect(item).toBeDefined();
    expect(item).not.toHaveProperty("config");
    const detail = (await (await t.get(`/api/runs/${runId}`)).json()) as RunDetail;
    expect(detail.run.config).toMatchObject({ "demo/collect": { pageSize: 3 } });
    await finished(runId);
  });

  it("re-executes a run with its config", async () => {
    const first = (await (
      await t.post("/api/runs", {
        selection: "demo/collect",
        from: "2024-01-03",
        to: "2024-01-04",
        config: { "demo/collect": { pageSize: 7, mode: "sample", dryRun: true } },
      })
    ).json()) as RunCreated;
    await finished(first.runId);
    const res = await t.post(`/api/runs/${first.runId}/reexecute`);
    expect(res.status, await res.clone().text()).toBe(201);
    const { runId } = (await res.json()) as RunCreated;
    const run = await finished(runId);
    expect(run.status).toBe("SUCCESS");
    expect(run.launchedBy).toEqual({ kind: "reexecution", detail: first.runId });
    expect(run.config).toEqual({ "demo/collect": { pageSize: 7, mode: "sample", dryRun: true } });
    const expected = { pageSize: 7, mode: "sample", label: null, dryRun: true };
    expect(await seen(t.sql, runId)).toEqual([expected, expected]);
  });

  it("re-executes with another config, validated, when the old one no longer fits", async () => {
    const first = (await (
      await t.post("/api/runs", {
        selection: "demo/collect",
        partition: "2024-01-07",
        config: { "demo/collect": { pageSize: 8 } },
      })
    ).json()) as RunCreated;
    await finished(first.runId);
    // As if the schema had changed since: the stored config no longer fits it.
    await t.sql.query(
      `UPDATE lignee.runs SET config = '{"demo/collect": {"pageSize": "eight"}}' WHERE id = $1`,
      [first.runId],
    );
    const before = await t.count("runs");
    const stale = await t.post(`/api/runs/${first.runId}/reexecute`);
    expect(stale.status).toBe(400);
    expect(((await stale.json()) as ErrorResponse).issues?.[0]?.path).toEqual(["pageSize"]);
    const invalid = await t.post(`/api/runs/${first.runId}/reexecute`, {
      config: { "demo/collect": { pageSize: 0 } },
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as ErrorResponse).issues?.[0]?.path).toEqual(["pageSize"]);
    expect(await t.count("runs")).toBe(before);
    const res = await t.post(`/api/runs/${first.runId}/reexecute`, {
      config: { "demo/collect": { pageSize: 9 } },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { runId } = (await res.json()) as RunCreated;
    const run = await finished(runId);
    expect(run.status).toBe("SUCCESS");
    expect(run.config).toEqual({ "demo/collect": { pageSize: 9, mode: "full", dryRun: false } });
  });

  it("gives every run of a backfill its config; invalid config creates no backfill", async () => {
    const refused = await t.post("/api/backfills", {
      selection: "demo/collect",
      from: "2024-02-01",
      to: "2024-02-03",
      config: { "demo/collect": { mode: "everything" } },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as ErrorResponse).issues?.[0]?.path).toEqual(["mode"]);
    expect(await t.count("backfills")).toBe(0);

    const res = await t.post("/api/backfills", {
      selection: "demo/collect",
      from: "2024-02-01",
      to: "2024-02-03",
      chunkSize: 2,
      config: { "demo/collect": { pageSize: 9 } },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { backfillId } = (await res.json()) as { backfillId: string };
    const runs = await t.sql.query<{ id: string; config: unknown }>(
      "SELECT id, config FROM lignee.runs WHERE backfill_id = $1 ORDER BY created_at",
      [backfillId],
    );
    const config = { "demo/collect": { pageSize: 9, mode: "full", dryRun: false } };
    expect(runs.rows.map((r) => r.config)).toEqual([config, config]);
    const backfill = (await (await t.get(`/api/backfills/${backfillId}`)).json()) as {
      backfill: { config: unknown };
    };
    expect(backfill.backfill.config).toEqual(config);
    for (const r of runs.rows) {
      expect((await finished(r.id)).status).toBe("SUCCESS");
      for (const m of await seen(t.sql, r.id)) expect(m).toMatchObject({ pageSize: 9 });
    }
  });

  it("answers the assets' config schemas as JSON Schema", async () => {
    const graph = (await (await t.get("/api/assets")).json()) as {
      nodes: { key: string; configSchema: Record<string, unknown> | null }[];
    };
    const collect = graph.nodes.find((n) => n.key === "demo/collect")!;
    expect(collect.configSchema).toMatchObject({
      type: "object",
      properties: {
        pageSize: {
          type: "integer",
          default: 150,
          maximum: 150,
          description: "offers asked per page",
        },
        mode: { type: "string", enum: ["full", "sample"], default: "full" },
        label: { type: "string" },
        dryRun: { type: "boolean", default: false },
      },
    });
    expect(graph.nodes.find((n) => n.key === "demo/plain")!.configSchema).toBeNull();
  });
});

describe("queued requests with config", () => {
  it("does not merge queued requests that differ only by their config", async () => {
    // No worker: the runs stay queued.
    const t = await openTestApi(definitions, { queue: { maxAttempts: 1 } });
    try {
      const ask = async (pageSize: number) => {
        const res = await t.post("/api/runs", {
          selection: "demo/collect",
          partition: "2024-01-05",
          config: { "demo/collect": { pageSize } },
        });
        return (await res.json()) as RunCreated;
      };
      const a = await ask(5);
      const b = await ask(6);
      const again = await ask(5);
      expect(b.runId).not.toBe(a.runId);
      expect(again).toEqual({ runId: a.runId, merged: true });
      expect(await t.count("runs")).toBe(2);
    } finally {
      await t.close();
    }
  });

  it("takes config for the upstream a stale request may build, and only with includeMissingUpstream", async () => {
    const t = await openTestApi(definitions, { queue: { maxAttempts: 1 } });
    try {
      const ask = (includeMissingUpstream: boolean) =>
        t.post("/api/runs", {
          selection: "demo/summary",
          stale: true,
          includeMissingUpstream,
          confirm: true,
          config: { "demo/collect": { pageSize: 4 } },
        });
      const without = await ask(false);
      expect(without.status).toBe(400);
      expect(((await without.json()) as ErrorResponse).issues).toEqual([
        { assetKey: "demo/collect", path: [], message: "the run does not materialize this asset" },
      ]);
      const withUpstream = await ask(true);
      expect(withUpstream.status, await withUpstream.clone().text()).toBe(201);
      const { runId } = (await withUpstream.json()) as RunCreated;
      expect((await t.storage.getRun(runId))?.config).toEqual({
        "demo/summary": { threshold: 0.5 },
        "demo/collect": { pageSize: 4, mode: "full", dryRun: false },
      });
    } finally {
      await t.close();
    }
  });
});

describe("run config from a schedule", () => {
  it("queues the schedule's runs with its config, defaults applied", async () => {
    const url = await createTestDatabase();
    const sql = await connectSql(url);
    const store = PostgresAutomationStore.connect(url);
    const storage = PostgresStorage.connect(url);
    try {
      const scheduler = new Scheduler({ definitions, storage, store, log: () => undefined });
      await scheduler.evaluate(new Date("2024-03-01T12:00:00Z"));
      const report = await scheduler.evaluate(new Date("2024-03-02T00:00:00Z"));
      const runId = report.schedules[0]!.runIds[0]!;
      expect((await storage.getRun(runId))?.config).toEqual({
        "demo/collect": { pageSize: 10, mode: "sample", dryRun: false },
      });
    } finally {
      await storage.close();
      await store.close();
      await sql.end();
    }
  });

  it("rejects at load time a schedule giving config to an asset that takes none", () => {
    expect(() =>
      Definitions.create({
        assets: [defineAsset({ key: "a", materialize: async () => undefined })],
        schedules: [
          {
            name: "s",
            cron: "0 1 * * *",
            timezone: "Europe/Paris",
            selection: "a",
            description: undefined,
            tags: {},
            partition: undefined,
            config: { a: {} },
          },
        ],
      }),
    ).toThrow(/schedule "s": config for "a", which is not an asset with a config schema/);
  });

  it("rejects at load time a config schema JSON cannot represent", () => {
    expect(() =>
      Definitions.create({
        assets: [
          defineAsset({
            key: "a",
            config: z.object({ at: z.date() }),
            materialize: async () => undefined,
          }),
        ],
      }),
    ).toThrow(/asset "a": its config schema cannot be represented as JSON/);
  });
});

describe("config schemas refused when the definitions load", () => {
  const withSchema = (config: z.ZodObject) =>
    Definitions.create({
      assets: [defineAsset({ key: "a", config, materialize: async () => undefined })],
    });

  it("refuses transforms, preprocessing and codecs, whose output a worker would parse again", () => {
    for (const field of [
      z.number().transform((n) => n * 1000),
      z.preprocess((v) => (typeof v === "number" ? v * 2 : v), z.number()),
      z.string().transform((s) => s.split(",")),
      z.codec(z.string(), z.number(), { decode: Number, encode: String }),
      z.object({ inner: z.number().transform((n) => n + 1) }).optional(),
      z.array(z.number().transform((n) => n + 1)),
    ])
      expect(() => withSchema(z.object({ field }))).toThrow(
        /asset "a": its config schema transforms what it is given \(at "field(\.inner)?"\)/,
      );
  });

  it("takes defaults, catches, pipes without transforms and coercion: parsing their output changes nothing", () => {
    const schema = z.object({
      a: z.number().default(1),
      b: z.boolean().catch(false),
      c: z.string().pipe(z.string().min(2)),
      d: z.coerce.number(),
      e: z.array(z.object({ f: z.string().default("x") })).default([]),
    });
    const definitions = withSchema(schema);
    const once = schema.parse({ c: "ab", d: 3, e: [{}] });
    expect(definitions.get("a").config?.parse(once)).toEqual(once);
  });
});

describe("launches that give no config", () => {
  const Required = z.object({ token: z.string().min(1) });
  const upstream = defineAsset({ key: "up", materialize: async () => undefined });

  it("refuses an eager asset whose config has required fields, naming it", () => {
    expect(() =>
      Definitions.create({
        assets: [
          upstream,
          defineAsset({
            key: "eager/needs",
            deps: ["up"],
            automation: "eager",
            config: Required,
            materialize: async () => undefined,
          }),
        ],
      }),
    ).toThrow(
      /asset "eager\/needs": eager automation gives no config, and its config schema needs "token": give its fields defaults/,
    );
    // Defaults make it fine.
    expect(() =>
      Definitions.create({
        assets: [
          upstream,
          defineAsset({
            key: "eager/defaults",
            deps: ["up"],
            automation: "eager",
            config: z.object({ token: z.string().default("t") }),
            materialize: async () => undefined,
          }),
        ],
      }),
    ).not.toThrow();
  });

  const schedule = (selection: string, config?: Record<string, unknown>) =>
    defineSchedule({ name: "s", cron: "0 1 * * *", selection, ...(config ? { config } : {}) });
  const needs = defineAsset({ key: "needs", config: Required, materialize: async () => undefined });
  const other = defineAsset({
    key: "other",
    config: z.object({ n: z.number().default(1) }),
    materialize: async () => undefined,
  });

  it("validates a schedule's config against its selection and schemas at load time", () => {
    const create = (s: ScheduleDefinition) =>
      Definitions.create({ assets: [needs, other], schedules: [s] });
    expect(() => create(schedule("needs"))).toThrow(
      /schedule "s": Invalid config: "needs\.token": /,
    );
    expect(() => create(schedule("needs", { needs: { token: 5 } }))).toThrow(
      /schedule "s": Invalid config: "needs\.token": /,
    );
    expect(() => create(schedule("needs", { needs: { token: "x" }, other: {} }))).toThrow(
      /schedule "s": Invalid config: "other": the run does not materialize this asset/,
    );
    expect(() => create(schedule("needs,other", { needs: { token: "x" } }))).not.toThrow();
  });

  it("gives a sensor's run the config of its request, validated", async () => {
    const url = await createTestDatabase();
    const store = PostgresAutomationStore.connect(url);
    const storage = PostgresStorage.connect(url);
    try {
      const sensed = Definitions.create({
        assets: [needs],
        sensors: [
          defineSensor({
            name: "files",
            selection: "needs",
            evaluate: async () => ({
              runRequests: [
                { runKey: "good", config: { needs: { token: "abc" } } },
                { runKey: "bad", config: { needs: { token: "" } } },
              ],
            }),
          }),
        ],
      }) as Definitions<unknown>;
      const scheduler = new Scheduler({
        definitions: sensed,
        storage,
        store,
        log: () => undefined,
      });
      const report = await scheduler.evaluate(new Date("2024-03-01T12:00:00Z"));
      const outcome = report.sensors[0]!;
      expect(outcome.runIds).toHaveLength(1);
      // The bad request is refused (the tick says why); the good one is queued.
      expect(outcome.message).toMatch(/^refused: needs: Invalid config: "needs\.token": /);
      expect((await storage.getRun(outcome.runIds[0]!))?.config).toEqual({
        needs: { token: "abc" },
      });
    } finally {
      await storage.close();
      await store.close();
    }
  });
});

describe("checks-only runs", () => {
  it("run the checks of an asset whose config has required fields, storing no config", async () => {
    const checked = Definitions.create({
      assets: [
        defineAsset({
          key: "needs",
          config: z.object({ token: z.string().min(1) }),
          materialize: async () => undefined,
        }),
      ],
      checks: [
        defineCheck({
          asset: "needs",
          name: "always",
          severity: "warn",
          evaluate: async () => ({ passed: true }),
        }),
      ],
    }) as Definitions<unknown>;
    const t = await openTestApi(checked, { queue: { maxAttempts: 1 } });
    try {
      const res = await t.post("/api/checks/run", { selection: "needs" });
      expect(res.status, await res.clone().text()).toBe(201);
      const { runId } = (await res.json()) as RunCreated;
      expect((await t.storage.getRun(runId))?.config).toEqual({});
    } finally {
      await t.close();
    }
  });
});

describe("lignee materialize --config", () => {
  let env: Record<string, string>;
  let sql: pg.Client;

  beforeAll(async () => {
    const url = await createTestDatabase();
    env = { DATABASE_URL: url };
    sql = await connectSql(url);
  });

  afterAll(async () => {
    await sql?.end();
  });

  async function lignee(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let stdout = "";
    let stderr = "";
    try {
      const code = await runCli(["--definitions", fixture("run-config.ts"), ...args], {
        out: (text) => (stdout += `${text}\n`),
        err: (text) => (stderr += `${text}\n`),
        interactive: false,
      });
      return { code, stdout, stderr };
    } finally {
      process.env = saved;
    }
  }

  const runs = async () =>
    (await sql.query<{ id: string; config: unknown }>("SELECT id, config FROM lignee.runs")).rows;

  it("exits 2 for bad JSON or invalid config, creating no run", async () => {
    const base = ["materialize", "--select", "demo/collect", "--partition", "2024-01-02"];
    const notJson = await lignee([...base, "--config", '{"demo/collect": {pageSize: 3}}']);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^error: Invalid config: --config is not JSON/);
    const missing = await lignee([...base, "--config", "/nonexistent/run-config.json"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read /nonexistent/run-config.json (ENOENT)");
    const invalid = await lignee([...base, "--config", '{"demo/collect": {"pageSize": "many"}}']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`Invalid config: "demo/collect.pageSize": `);
    const big = await lignee([
      ...base,
      "--config",
      JSON.stringify({ "demo/collect": { label: "x".repeat(70_000) } }),
    ]);
    expect(big.code).toBe(2);
    expect(big.stderr).toContain("over the limit of 65,536 (64 KiB)");
    expect(await runs()).toEqual([]);
  });

  it("gives the asset the config of --config, inline or from a file", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "lignee-config-")), "config.json");
    await writeFile(file, JSON.stringify({ "demo/collect": { mode: "sample" } }));
    const base = ["materialize", "--select", "demo/collect", "--partition", "2024-01-02"];
    const inline = await lignee([...base, "--config", '{"demo/collect": {"pageSize": 3}}']);
    expect(inline.code, inline.stderr).toBe(0);
    const fromFile = await lignee([...base, "--config", file]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const [a, b] = (
      await sql.query<{ id: string }>("SELECT id FROM lignee.runs ORDER BY created_at")
    ).rows;
    expect(await seen(sql, a!.id)).toEqual([
      { pageSize: 3, mode: "full", label: null, dryRun: false },
    ]);
    expect(await seen(sql, b!.id)).toEqual([
      { pageSize: 150, mode: "sample", label: null, dryRun: false },
    ]);
    const shown = await lignee(["runs", "show", a!.id]);
    expect(shown.stdout).toContain(
      `config:     demo/collect {"mode":"full","dryRun":false,"pageSize":3}`,
    );
  });
});

describe("the 64 KiB cap on a run's config", () => {
  // Small to give, over 64 KiB once its defaults are filled in.
  const wide = Definitions.create<unknown>({
    assets: [
      defineAsset({
        key: "wide",
        config: z.object({
          a: z.string().default("a".repeat(40_000)),
          b: z.string().default("b".repeat(40_000)),
        }),
        materialize: async (ctx) => ({ metadata: { length: Object.keys(ctx.config).length } }),
      }),
    ],
  });

  it("applies to the config as the run stores it, defaults filled in, when the run is accepted", async () => {
    const t = await openTestApi(wide, { queue: { maxAttempts: 1 } });
    try {
      const res = await t.post("/api/runs", { selection: "wide", config: { wide: {} } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorResponse).error).toMatch(
        /^Invalid config: it is 80,\d{3} bytes as JSON, over the limit of 65,536 \(64 KiB\)$/,
      );
      expect(await t.count("runs")).toBe(0);
    } finally {
      await t.close();
    }
  });

  it("is not applied again to a queued run's stored config when a worker plans it", async () => {
    const t = await openTestApi(wide, { queue: { maxAttempts: 1 } });
    const worker = new Worker({
      definitions: wide,
      storage: t.storage,
      queue: t.queue!,
      environment: { databaseUrl: t.url, home: "" },
      pollMs: 50,
      leaseMs: 5_000,
      log: () => undefined,
    });
    try {
      // Stored as a run accepted before the cap applied to defaults holds it.
      const runId = await t.queue!.enqueue({
        selection: "wide",
        assetKeys: ["wide"],
        partitions: { kind: "none" },
        config: { wide: { a: "a".repeat(40_000), b: "b".repeat(40_000) } },
      });
      await worker.start();
      const run = await waitFor(`run ${runId} to end`, async () => {
        const r = await t.storage.getRun(runId);
        return r && ["SUCCESS", "FAILURE", "CANCELED"].includes(r.status) ? r : undefined;
      });
      expect(run.status, run.error ?? "").toBe("SUCCESS");
    } finally {
      await worker.stop();
      await t.close();
    }
  });
});
