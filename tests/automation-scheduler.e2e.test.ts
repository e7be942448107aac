import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { fixture, lignee, type CliResult } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";
import { sleep, waitFor } from "./support/wait";

/**
 * `lignee scheduler` as real processes against a real PostgreSQL database: killed between
 * recording a tick and queueing its run, two of them at once, and eager automation after a
 * `lignee materialize`.
 */
const SCHEDULE = ["--definitions", fixture("automation-schedule.ts")];
const EAGER = ["--definitions", fixture("automation-eager.ts")];

interface Scheduler {
  readonly child: ChildProcess;
  readonly done: Promise<CliResult>;
}

const running: Scheduler[] = [];

afterEach(async () => {
  // A failed test must not leave processes behind.
  for (const s of running.splice(0)) {
    if (s.child.exitCode === null && s.child.signalCode === null) s.child.kill("SIGKILL");
    await s.done;
  }
});

function startScheduler(args: string[], env: Record<string, string>): Scheduler {
  let child: ChildProcess | undefined;
  const done = lignee([...args, "scheduler"], env, (c) => (child = c));
  const s = { child: child!, done };
  running.push(s);
  return s;
}

/** SIGTERM, as `docker stop` or a service manager would; resolves to how it ended. */
async function stop(s: Scheduler): Promise<CliResult> {
  s.child.kill("SIGTERM");
  return s.done;
}

async function database(): Promise<{ env: Record<string, string>; sql: pg.Client }> {
  const url = await createTestDatabase();
  const sql = await connectSql(url);
  return { env: { DATABASE_URL: url, LIGNEE_SCHEDULER_INTERVAL_MS: "200" }, sql };
}

interface Tick {
  scheduled_at: Date;
  status: string;
  run_id: string | null;
}

const ticks = async (sql: pg.Client): Promise<Tick[]> =>
  (
    await sql.query<Tick>(
      "SELECT scheduled_at, status, run_id FROM lignee.schedule_ticks ORDER BY scheduled_at",
    )
  ).rows;

const scheduleRuns = async (
  sql: pg.Client,
): Promise<{ id: string; tags: Record<string, string> }[]> =>
  (
    await sql.query<{ id: string; tags: Record<string, string> }>(
      "SELECT id, tags FROM lignee.runs WHERE tags->>'trigger' = 'schedule' ORDER BY id",
    )
  ).rows;

/** Every tick launched exactly one run, under the tick's own run id, and nothing else ran. */
async function expectOneRunPerTick(sql: pg.Client): Promise<Tick[]> {
  const all = await ticks(sql);
  expect(all.length).toBeGreaterThan(0);
  expect(all.filter((t) => t.status !== "SUCCESS")).toEqual([]);
  const runs = await scheduleRuns(sql);
  expect(runs.map((r) => r.id)).toEqual(all.map((t) => t.run_id).sort());
  for (const t of all) {
    expect(runs.find((r) => r.id === t.run_id)?.tags.scheduledAt).toBe(
      t.scheduled_at.toISOString(),
    );
  }
  return all;
}

describe("lignee scheduler", () => {
  it("killed between recording a tick and queueing its run: exactly one run after a restart", async () => {
    const { env, sql } = await database();
    try {
      const crashed = await startScheduler(SCHEDULE, {
        ...env,
        LIGNEE_TEST_CRASH_AFTER_TICK_RECORDED: "1",
      }).done;
      expect(crashed.stderr).toContain(
        "LIGNEE_TEST_CRASH_AFTER_TICK_RECORDED: dying after recording",
      );
      const [first, ...others] = await ticks(sql);
      expect(others).toEqual([]);
      expect(first).toMatchObject({ status: "STARTED" });
      expect(await scheduleRuns(sql)).toEqual([]);

      const restarted = startScheduler(SCHEDULE, env);
      await waitFor("the first tick to be finished", async () => {
        const t = (await ticks(sql))[0];
        return t?.status === "SUCCESS" && (await ticks(sql)).length >= 3 ? t : undefined;
      });
      const r = await stop(restarted);
      expect(r.code, r.stderr).toBe(0);

      const all = await expectOneRunPerTick(sql);
      expect(all[0]!.run_id).toBe(first!.run_id);
      // Ticks come every second: the ones missed while no scheduler ran are caught up, once.
      const seconds = all.map((t) => t.scheduled_at.getTime() / 1000);
      expect(seconds).toEqual(seconds.map((_, i) => seconds[0]! + i));
    } finally {
      await sql.end();
    }
  });

  it("two schedulers at once: one run per tick", async () => {
    const { env, sql } = await database();
    try {
      const a = startScheduler(SCHEDULE, env);
      const b = startScheduler(SCHEDULE, env);
      await waitFor("a few ticks", async () => ((await ticks(sql)).length >= 5 ? true : undefined));
      const [ra, rb] = await Promise.all([stop(a), stop(b)]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      await expectOneRunPerTick(sql);
    } finally {
      await sql.end();
    }
  });

  it("eager automation: a materialised upstream partition queues one run for the chain", async () => {
    const { env, sql } = await database();
    try {
      for (const args of [
        ["materialize", "--select", "ref/countries"],
        ["materialize", "--select", "raw/events", "--partition", "2024-08-01"],
      ]) {
        const r = await lignee([...EAGER, ...args], env);
        expect(r.code, r.stderr).toBe(0);
      }
      const s = startScheduler(EAGER, env);
      const eagerRuns = async () =>
        (
          await sql.query<{ status: string; selection: string; partition_spec: unknown }>(
            "SELECT status, selection, partition_spec FROM lignee.runs WHERE tags->>'trigger' = 'eager'",
          )
        ).rows;
      await waitFor("an eager run", async () =>
        (await eagerRuns()).length > 0 ? true : undefined,
      );
      // A few more evaluations: still one run.
      await sleep(1_000);
      const r = await stop(s);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain("eager automation: queued run");
      expect(await eagerRuns()).toEqual([
        {
          status: "QUEUED",
          selection: "staging/events_clean,marts/summary",
          partition_spec: { kind: "single", key: "2024-08-01" },
        },
      ]);
    } finally {
      await sql.end();
    }
  });
});
