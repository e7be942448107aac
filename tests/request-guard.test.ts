import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Definitions, RunQueue } from "@lignee/engine";
import definitions from "./fixtures/confirmation";
import { openTestApi, type TestApi } from "./support/api";
import { createTestDatabase } from "./support/database";
import { fixture, lignee } from "./support/cli";

/**
 * Requests that would start a lot of work ask for confirmation, through the API (runs,
 * re-execution, backfills) and the CLI; identical requests while one is queued are one run.
 * Refused requests create nothing.
 */
let t: TestApi;
let queue: RunQueue;

beforeAll(async () => {
  // No worker: runs stay QUEUED, which is what merging is about.
  t = await openTestApi(definitions as Definitions<unknown>, { queue: { maxAttempts: 1 } });
  queue = t.queue!;
});

afterAll(async () => {
  await t.close();
});

const post = (path: string, body?: unknown): Promise<Response> => t.post(path, body);
const count = (table: "runs" | "backfills"): Promise<number> => t.count(table);

interface Refusal {
  error: string;
  confirmation?: { assetKey: string; partitions: number; limit: number };
}

async function refused(path: string, body: unknown): Promise<Refusal> {
  const [runs, fills] = [await count("runs"), await count("backfills")];
  const res = await post(path, body);
  const answer = (await res.json()) as Refusal;
  expect(res.status, JSON.stringify(answer)).toBe(400);
  expect(await count("runs")).toBe(runs);
  expect(await count("backfills")).toBe(fills);
  return answer;
}

// 2024-05-23 … 2024-09-30: 131 days.
const LONG = { from: "2024-05-23", to: "2024-09-30" };

describe("confirmation of large requests", () => {
  it("a run over more than 100 partitions is a 400 with the count, unless confirmed", async () => {
    const answer = await refused("/api/runs", { selection: "local/days", ...LONG });
    expect(answer.error).toMatch(/131 partitions of local\/days/);
    expect(answer.error).toMatch(/"confirm": true/);
    expect(answer.confirmation).toEqual({ assetKey: "local/days", partitions: 131, limit: 100 });
    const res = await post("/api/runs", { selection: "local/days", ...LONG, confirm: true });
    expect(res.status).toBe(201);
  });

  it("what is stale counts too: every missing day since the start", async () => {
    const answer = await refused("/api/runs", { selection: "**+", stale: true });
    expect(answer.confirmation?.partitions).toBeGreaterThan(100);
  });

  it("an asset that calls an external API asks above its own limit (7 days)", async () => {
    const week = { from: "2024-06-01", to: "2024-06-08" }; // 8 days
    const answer = await refused("/api/runs", { selection: "external/days", ...week });
    expect(answer.confirmation).toEqual({ assetKey: "external/days", partitions: 8, limit: 7 });
    const seven = await post("/api/runs", {
      selection: "external/days",
      from: "2024-06-01",
      to: "2024-06-07",
    });
    expect(seven.status).toBe(201);
  });

  it("re-executing a large run asks again", async () => {
    const res = await post("/api/runs", {
      selection: "external/days",
      from: "2024-07-01",
      to: "2024-07-20",
      confirm: true,
    });
    const { runId } = (await res.json()) as { runId: string };
    const answer = await refused(`/api/runs/${runId}/reexecute`, undefined);
    expect(answer.confirmation?.partitions).toBe(20);
    const again = await post(`/api/runs/${runId}/reexecute`, { confirm: true });
    expect(again.status).toBe(201);
  });

  it("a backfill over the limits is a 400 unless confirmed", async () => {
    const answer = await refused("/api/backfills", { selection: "local/days", ...LONG });
    expect(answer.confirmation).toEqual({ assetKey: "local/days", partitions: 131, limit: 100 });
    const ext = await refused("/api/backfills", {
      selection: "external/days",
      from: "2024-06-01",
      to: "2024-06-30",
    });
    expect(ext.confirmation?.limit).toBe(7);
    const res = await post("/api/backfills", { selection: "local/days", ...LONG, confirm: true });
    expect(res.status).toBe(201);
  });
});

describe("identical requests while one is queued", () => {
  it("are merged into the queued run: same id, merged: true, one row", async () => {
    const body = { selection: "local/days", partition: "2024-08-01", tags: { team: "a" } };
    const before = await count("runs");
    const first = await post("/api/runs", body);
    expect(first.status).toBe(201);
    const { runId } = (await first.json()) as { runId: string };
    const answers = await Promise.all(Array.from({ length: 12 }, () => post("/api/runs", body)));
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(await a.json()).toEqual({ runId, merged: true });
    }
    expect(await count("runs")).toBe(before + 1);
    // Other tags, or other partitions, are another request.
    const other = await post("/api/runs", { ...body, tags: { team: "b" } });
    expect(other.status).toBe(201);
    const otherDay = await post("/api/runs", { ...body, partition: "2024-08-02" });
    expect(otherDay.status).toBe(201);
    // Once the queued run is gone (cancelled here), the same request queues a new run.
    await queue.requestCancel(runId);
    const later = await post("/api/runs", body);
    expect(later.status).toBe(201);
    expect(((await later.json()) as { runId: string }).runId).not.toBe(runId);
  });

  it("twelve identical requests at once make one run", async () => {
    const body = { selection: "local/days", stale: true, confirm: true };
    const before = await count("runs");
    const answers = await Promise.all(Array.from({ length: 12 }, () => post("/api/runs", body)));
    const ids = new Set<string>();
    for (const a of answers) ids.add(((await a.json()) as { runId: string }).runId);
    expect(ids.size).toBe(1);
    expect(await count("runs")).toBe(before + 1);
  });
});

describe("lignee materialize and backfill --yes", () => {
  const DEFS = ["--definitions", fixture("confirmation.ts")];
  it("refuses a large request without --yes (exit 2, no run), runs it with --yes", async () => {
    const env = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
    const args = [...DEFS, "materialize", "--select", "external/days"];
    const range = ["--from", "2024-06-01", "--to", "2024-06-10"];
    const no = await lignee([...args, ...range], env);
    expect(no.code, no.stderr).toBe(2);
    expect(no.stderr).toMatch(/10 partitions of external\/days.*--yes/);
    const runs = await lignee([...DEFS, "runs", "--json"], env);
    expect(JSON.parse(runs.stdout).runs).toHaveLength(0);
    const yes = await lignee([...args, ...range, "--yes"], env);
    expect(yes.code, yes.stderr).toBe(0);
    const backfill = await lignee(
      [...DEFS, "backfill", "--select", "external/days", ...range, "--no-wait"],
      env,
    );
    expect(backfill.code, backfill.stderr).toBe(2);
    expect(backfill.stderr).toMatch(/--yes/);
  });
});
