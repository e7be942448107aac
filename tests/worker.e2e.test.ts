import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunQueue } from "@lignee/engine";
import { ligneeCommand, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { jobOfferEnv } from "./support/job-offers";
import { connectSql } from "./support/sql";
import { sleep, waitFor } from "./support/wait";

/**
 * Workers as real processes on the job-offer pipeline: a worker killed with SIGKILL in the middle
 * of a collection loses its lease, another worker retries the run, and the warehouse holds the
 * day's offers exactly once.
 */
const DAY = "2024-08-01"; // a Thursday: a full weekday of offers
let env: Record<string, string>;
let sql: pg.Client;
let queue: RunQueue;
const children: ChildProcess[] = [];

const worker = (name: string): ChildProcess => {
  const child = spawn(
    ...ligneeCommand(["worker"]),
    // Its own process group, so that SIGKILL reaches whatever the worker started too.
    {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  Object.defineProperty(child, "output", { get: () => `${name}: ${output}` });
  children.push(child);
  return child;
};

const run = async (id: string) =>
  (
    await sql.query<{ status: string; attempt: number; worker_id: string | null }>(
      "SELECT status, attempt, worker_id FROM lignee.runs WHERE id = $1",
      [id],
    )
  ).rows[0]!;

beforeAll(async () => {
  const url = await createTestDatabase();
  const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-worker-"));
  env = jobOfferEnv(
    url,
    dataDir,
    { offersPerWeekday: 1500 },
    // Slow enough (about 10 s) to be killed in the middle of the collection.
    { FRANCE_TRAVAIL_RATE_LIMIT: "1", LIGNEE_LEASE_MS: "1500" },
  );
  sql = await connectSql(url);
  queue = RunQueue.connect(url);
});

afterAll(async () => {
  for (const child of children) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await queue.close();
  await sql.end();
});

describe("lignee worker", () => {
  it("retries on another worker the run of a worker killed mid-collection; the day is loaded exactly once", async () => {
    const id = await queue.enqueue(
      {
        selection: "raw/offres",
        assetKeys: ["raw/offres"],
        partitions: { kind: "single", key: DAY },
      },
      { maxAttempts: 3 },
    );
    const first = worker("first");
    // Killed once it is collecting: it claimed the run and the step started.
    await waitFor(
      "the first worker to start collecting",
      async () => {
        const events = await sql.query(
          "SELECT 1 FROM lignee.events WHERE run_id = $1 AND type = 'STEP_START'",
          [id],
        );
        return events.rowCount ? true : undefined;
      },
      60_000,
    );
    await sleep(1_000);
    expect((await run(id)).status).toBe("STARTED");
    process.kill(-first.pid!, "SIGKILL");

    worker("second");
    const done = await waitFor(
      "the run to succeed on the second worker",
      async () => {
        const r = await run(id);
        return r.status === "SUCCESS" || r.status === "FAILURE" ? r : undefined;
      },
      90_000,
    );
    expect(done).toMatchObject({ status: "SUCCESS", attempt: 2 });
    const events = (
      await sql.query<{ type: string }>(
        "SELECT type FROM lignee.events WHERE run_id = $1 ORDER BY id",
        [id],
      )
    ).rows.map((e) => e.type);
    expect(events).toContain("RUN_RETRY");
    expect(events.filter((t) => t === "RUN_START")).toHaveLength(2);

    const counts = (
      await sql.query<{ n: number; ids: number }>(
        "SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM raw.offres WHERE jour = $1",
        [DAY],
      )
    ).rows[0]!;
    const materialized = await sql.query<{ metadata: { rows: number; offers_reported: number } }>(
      "SELECT metadata FROM lignee.materializations WHERE asset_key = 'raw/offres' AND partition_key = $1",
      [DAY],
    );
    expect(materialized.rows).toHaveLength(1);
    expect(counts.n).toBe(counts.ids);
    expect(counts.n).toBe(materialized.rows[0]!.metadata.offers_reported);
    expect(counts.n).toBe(1500);
  }, 180_000);
});
