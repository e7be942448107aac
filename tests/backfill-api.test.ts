import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BackfillCanceledBody,
  BackfillCreatedBody,
  BackfillDetailBody,
  BackfillsBody,
  buildExampleDefinitions,
  createApp,
  PostgresBackfillStore,
  PostgresStorage,
  type App,
  type Definitions,
} from "@lignee/engine";
import { openTestApi, type TestApi } from "./support/api";

/** `/api/backfills` through `app.request`, against real PostgreSQL and the example definitions. */
let t: TestApi;
let storage: PostgresStorage;
let backfills: PostgresBackfillStore;
let sql: pg.Client;
let api: App;

beforeAll(async () => {
  t = await openTestApi(buildExampleDefinitions() as Definitions<unknown>);
  ({ storage, backfills, sql, api } = t);
});

afterAll(async () => {
  await t.close();
});

const get = (path: string): Promise<Response> => t.get(path);
const post = (path: string, body?: unknown): Promise<Response> => t.post(path, body);
const countRows = (table: "backfills" | "runs"): Promise<number> => t.count(table);

async function create(body: unknown): Promise<{ backfillId: string; totalChunks: number }> {
  const res = await post("/api/backfills", body);
  expect(res.status, await res.clone().text()).toBe(201);
  return BackfillCreatedBody.parse(await res.json());
}

describe("POST /api/backfills", () => {
  it("creates a backfill and queues its runs", async () => {
    const created = await create({
      selection: "raw/events+",
      from: "2024-08-01",
      to: "2024-08-12",
      chunkSize: 5,
      tags: { reason: "api" },
    });
    expect(created.totalChunks).toBe(3);
    const runs = await sql.query(
      `SELECT status, partition_spec FROM lignee.runs WHERE backfill_id = $1 ORDER BY created_at`,
      [created.backfillId],
    );
    expect(runs.rows).toEqual([
      { status: "QUEUED", partition_spec: { kind: "range", from: "2024-08-01", to: "2024-08-05" } },
      { status: "QUEUED", partition_spec: { kind: "range", from: "2024-08-06", to: "2024-08-10" } },
      { status: "QUEUED", partition_spec: { kind: "range", from: "2024-08-11", to: "2024-08-12" } },
    ]);
    const [first] = await storage.listRuns({ limit: 1 });
    expect(first?.launchedBy).toEqual({ kind: "backfill", detail: created.backfillId });
  });

  it("refuses bad input with 400 and creates nothing", async () => {
    const before = [await countRows("backfills"), await countRows("runs")];
    const cases: [unknown, RegExp][] = [
      [
        { selection: "raw/nope", from: "2024-08-01", to: "2024-08-02" },
        /Unknown asset "raw\/nope"/,
      ],
      [{ selection: "raw/events", from: "2024-02-30", to: "2024-08-02" }, /invalid partition key/],
      [{ selection: "raw/events", from: "2024-08-02", to: "2024-08-01" }, /reversed/],
      [{ selection: "raw/events", from: "2099-01-01", to: "2099-01-02" }, /out of range/],
      [{ selection: "ref/countries", from: "2024-08-01", to: "2024-08-02" }, /partitioned/],
      [{ selection: "raw/events", from: "2024-08-01" }, /^invalid request: to/],
      [{ selection: "", from: "2024-08-01", to: "2024-08-02" }, /selection is required/],
      [
        { selection: "raw/events", from: "2024-08-01", to: "2024-08-02", chunkSize: 0 },
        /chunkSize/,
      ],
      [
        { selection: "raw/events", from: "2024-08-01", to: "2024-08-02", chunkSize: 1.5 },
        /chunkSize/,
      ],
      [{ selection: "raw/events", from: "2024-08-01", to: "2024-08-02", extra: 1 }, /extra/],
      ["not json", /must be JSON/],
    ];
    for (const [body, message] of cases) {
      const res = await post("/api/backfills", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as { error: string }).error, JSON.stringify(body)).toMatch(
        message,
      );
    }
    const noType = await api.app.request("/api/backfills", {
      method: "POST",
      body: JSON.stringify({ selection: "raw/events", from: "2024-08-01", to: "2024-08-02" }),
    });
    expect(noType.status).toBe(400);
    expect([await countRows("backfills"), await countRows("runs")]).toEqual(before);
  });
});

describe("GET /api/backfills", () => {
  it("lists backfills newest first with their progress, filtered by status", async () => {
    const first = await create({ selection: "raw/events", from: "2024-09-01", to: "2024-09-02" });
    const second = await create({ selection: "raw/events", from: "2024-09-03", to: "2024-09-04" });
    const body = BackfillsBody.parse(await (await get("/api/backfills")).json());
    const ids = body.backfills.map((b) => b.id);
    expect(ids.indexOf(second.backfillId)).toBeLessThan(ids.indexOf(first.backfillId));
    expect(body.backfills.find((b) => b.id === first.backfillId)).toMatchObject({
      status: "RUNNING",
      selection: "raw/events",
      from: "2024-09-01",
      to: "2024-09-02",
      chunkSize: 10,
      totalChunks: 1,
      progress: { totalPartitions: 2, partitions: { QUEUED: 2 }, finished: false },
    });

    // A worker finishes the first one: it is COMPLETED.
    await sql.query(`UPDATE lignee.runs SET status = 'SUCCESS' WHERE backfill_id = $1`, [
      first.backfillId,
    ]);
    const completed = BackfillsBody.parse(
      await (await get("/api/backfills?status=COMPLETED")).json(),
    );
    expect(completed.backfills.map((b) => b.id)).toEqual([first.backfillId]);
    const limited = BackfillsBody.parse(await (await get("/api/backfills?limit=1")).json());
    expect(limited.backfills).toHaveLength(1);

    for (const query of ["limit=0", "limit=501", "limit=x", "status=DONE"]) {
      const res = await get(`/api/backfills?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});

describe("GET /api/backfills/:id", () => {
  it("shows the progress by status and the runs in chunk order", async () => {
    const { backfillId } = await create({
      selection: "raw/events",
      from: "2024-10-01",
      to: "2024-10-05",
      chunkSize: 2,
    });
    const [first] = (
      await sql.query<{ id: string }>(
        `SELECT id FROM lignee.runs WHERE backfill_id = $1 ORDER BY created_at LIMIT 1`,
        [backfillId],
      )
    ).rows;
    await sql.query(`UPDATE lignee.runs SET status = 'STARTED' WHERE id = $1`, [first!.id]);

    const res = await get(`/api/backfills/${backfillId}`);
    expect(res.status).toBe(200);
    const body = BackfillDetailBody.parse(await res.json());
    expect(body.backfill.progress).toMatchObject({
      totalChunks: 3,
      createdChunks: 3,
      runs: { STARTED: 1, QUEUED: 2 },
      partitions: { STARTED: 2, QUEUED: 3 },
    });
    expect(body.runs.map((r) => [r.chunk, r.from, r.to, r.status])).toEqual([
      [0, "2024-10-01", "2024-10-02", "STARTED"],
      [1, "2024-10-03", "2024-10-04", "QUEUED"],
      [2, "2024-10-05", "2024-10-05", "QUEUED"],
    ]);
    // Runs are runs: the runs API knows them.
    expect((await get(`/api/runs/${first!.id}`)).status).toBe(200);

    const page = BackfillDetailBody.parse(
      await (await get(`/api/backfills/${backfillId}?limit=1&offset=2`)).json(),
    );
    expect(page.runs.map((r) => r.chunk)).toEqual([2]);
    expect((await get(`/api/backfills/${backfillId}?offset=-1`)).status).toBe(400);
  });

  it("answers 404 for an unknown or malformed id", async () => {
    for (const id of [randomUUID(), "nope", "1; DROP TABLE lignee.runs"]) {
      const res = await get(`/api/backfills/${encodeURIComponent(id)}`);
      expect(res.status, id).toBe(404);
      expect(await res.json()).toEqual({ error: `Unknown backfill "${id}"` });
    }
  });
});

describe("POST /api/backfills/:id/cancel", () => {
  it("cancels queued runs, asks started ones to stop, then answers 409", async () => {
    const { backfillId } = await create({
      selection: "raw/events",
      from: "2024-11-01",
      to: "2024-11-03",
      chunkSize: 1,
    });
    const ids = (
      await sql.query<{ id: string }>(
        `SELECT id FROM lignee.runs WHERE backfill_id = $1 ORDER BY created_at`,
        [backfillId],
      )
    ).rows.map((r) => r.id);
    await sql.query(`UPDATE lignee.runs SET status = 'STARTED' WHERE id = $1`, [ids[0]]);

    const res = await post(`/api/backfills/${backfillId}/cancel`);
    expect(res.status).toBe(200);
    expect(BackfillCanceledBody.parse(await res.json())).toEqual({
      backfillId,
      status: "CANCELED",
      canceledRuns: 2,
      cancelingRuns: 1,
    });
    const detail = BackfillDetailBody.parse(
      await (await get(`/api/backfills/${backfillId}`)).json(),
    );
    expect(detail.backfill.status).toBe("CANCELED");
    expect(detail.runs.map((r) => [r.status, r.cancelRequested])).toEqual([
      ["STARTED", true],
      ["CANCELED", false],
      ["CANCELED", false],
    ]);

    const again = await post(`/api/backfills/${backfillId}/cancel`);
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: `backfill ${backfillId} is already finished (CANCELED)`,
    });
    expect((await post(`/api/backfills/${randomUUID()}/cancel`)).status).toBe(404);
    expect((await post(`/api/backfills/nope/cancel`)).status).toBe(404);
  });

  it("is refused from another origin's page", async () => {
    const { backfillId } = await create({
      selection: "raw/events",
      from: "2024-12-01",
      to: "2024-12-01",
    });
    const res = await api.app.request(`/api/backfills/${backfillId}/cancel`, {
      method: "POST",
      headers: { origin: "https://evil.example" },
    });
    expect(res.status).toBe(403);
    expect((await backfills.getBackfill(backfillId))?.status).toBe("RUNNING");
  });
});

describe("without a backfill store", () => {
  it("answers 404", async () => {
    const bare = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: "", home: "" },
    });
    const res = await bare.app.request("/api/backfills");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "backfills are not available on this server" });
  });
});

describe("GET /api/health", () => {
  it("is ok when the database answers, and needs the token when one is set", async () => {
    expect(await (await get("/api/health")).json()).toEqual({ status: "ok" });
    const locked = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage,
      environment: { databaseUrl: "", home: "" },
      token: "s3cret",
    });
    expect((await locked.app.request("/api/health")).status).toBe(401);
    const res = await locked.app.request("/api/health", {
      headers: { authorization: "Bearer s3cret" },
    });
    expect(res.status).toBe(200);
  });

  it("answers 503 when the database does not", async () => {
    const closed = PostgresStorage.connect("postgres://nobody:x@127.0.0.1:1/none");
    const down = createApp({
      definitions: buildExampleDefinitions() as Definitions<unknown>,
      storage: closed,
      environment: { databaseUrl: "", home: "" },
      log: () => undefined,
    });
    const res = await down.app.request("/api/health");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: "the database does not answer" });
    await closed.close();
  });
});
