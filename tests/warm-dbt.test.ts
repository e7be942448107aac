import { existsSync, readdirSync } from "node:fs";
import { mkdir, mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectionEnv,
  prepareDbtWarm,
  runDbtWarm,
  stopWarmDbt,
  type DbtInvocation,
  type DbtLogLine,
} from "@lignee/engine";
import { REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";

/**
 * dbt run by warm processes (dbt's programmatic runner in a long-lived Python process), with
 * real dbt and PostgreSQL on a two-model project: the manifest parsed once and again when the
 * project changes, cancellation, commands at once, the same failures as the dbt command.
 */
const DBT = path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt");

let url: string;
let sql: pg.Client;
let project: string;

beforeAll(async () => {
  url = await createTestDatabase({ migrate: false });
  sql = await connectSql(url);
  project = await mkdtemp(path.join(tmpdir(), "lignee-warm-dbt-"));
  await mkdir(path.join(project, "models"));
  await writeFile(
    path.join(project, "dbt_project.yml"),
    'name: warm\nversion: "1.0.0"\nprofile: warm\nmodel-paths: ["models"]\n' +
      "flags:\n  send_anonymous_usage_stats: false\n" +
      "models:\n  warm:\n    +materialized: table\n",
  );
  await writeFile(
    path.join(project, "profiles.yml"),
    `warm:
  target: dev
  outputs:
    dev:
      type: postgres
      host: "{{ env_var('LIGNEE_DBT_HOST') }}"
      port: "{{ env_var('LIGNEE_DBT_PORT') | as_number }}"
      user: "{{ env_var('LIGNEE_DBT_USER') }}"
      password: "{{ env_var('LIGNEE_DBT_PASSWORD') }}"
      dbname: "{{ env_var('LIGNEE_DBT_DBNAME') }}"
      schema: warm
      threads: 1
`,
  );
  await writeFile(path.join(project, "models", "answer.sql"), "select 1 as x\n");
  await writeFile(path.join(project, "models", "slow.sql"), "select 1 as s from pg_sleep(60)\n");
  await writeFile(path.join(project, "models", "broken.sql"), "select * from no_such_table\n");
}, 60_000);

afterAll(async () => {
  stopWarmDbt();
  await sql?.end();
});

function invocation(overrides: Partial<DbtInvocation> = {}): DbtInvocation {
  return {
    executable: DBT,
    projectDir: project,
    profilesDir: project,
    env: connectionEnv(url),
    ...overrides,
  };
}

const build = (model: string, target = path.join(project, "target", model)): string[] => [
  "build",
  "--select",
  model,
  "--target-path",
  target,
];

const answer = async (): Promise<number> =>
  (await sql.query<{ x: number }>("SELECT x FROM warm.answer")).rows[0]!.x;

describe("runDbtWarm", () => {
  it("keeps the parsed project for the next command, in the same process", async () => {
    const lines: DbtLogLine[] = [];
    const first = await runDbtWarm(build("answer"), invocation({ onLog: (l) => lines.push(l) }));
    expect(first.exitCode, first.errors.join("\n")).toBe(0);
    expect(first.warm?.parsed).toBe(true);
    expect(await answer()).toBe(1);
    // The same log lines as `--log-format json` gives, and the same run_results.json.
    expect(lines).toContainEqual(
      expect.objectContaining({ name: "LogModelResult", uniqueId: "model.warm.answer" }),
    );
    expect(existsSync(path.join(project, "target", "answer", "run_results.json"))).toBe(true);

    const second = await runDbtWarm(build("answer"), invocation());
    expect(second.exitCode).toBe(0);
    expect(second.warm).toEqual({ pid: first.warm!.pid, parsed: false });
  }, 120_000);

  it("parses again when a file of the project changed", async () => {
    await writeFile(path.join(project, "models", "answer.sql"), "select 2 as x\n");
    const result = await runDbtWarm(build("answer"), invocation());
    expect(result.exitCode).toBe(0);
    expect(result.warm?.parsed).toBe(true);
    expect(await answer()).toBe(2);
  }, 120_000);

  it("a model that fails ends with exit code 1 and dbt's error; the process goes on", async () => {
    const failed = await runDbtWarm(build("broken"), invocation());
    expect(failed.exitCode).toBe(1);
    expect(failed.errors.join("\n")).toMatch(/no_such_table/);
    const next = await runDbtWarm(build("answer"), invocation());
    expect(next.exitCode).toBe(0);
    expect(next.warm?.pid).toBe(failed.warm?.pid);
  }, 120_000);

  it("cancelling stops the running query; the next command gets a new process", async () => {
    const before = await runDbtWarm(build("answer"), invocation());
    const controller = new AbortController();
    const started = performance.now();
    const result = await runDbtWarm(
      build("slow"),
      invocation({
        signal: controller.signal,
        killAfterMs: 5_000,
        // Cancelled once the model's query runs.
        onLog: (l) => {
          if (l.name === "LogStartLine" && l.uniqueId === "model.warm.slow")
            setTimeout(() => controller.abort(), 1_000);
        },
      }),
    );
    expect(result.exitCode).not.toBe(0);
    expect(controller.signal.aborted).toBe(true);
    expect(performance.now() - started).toBeLessThan(30_000);
    // No pg_sleep left running on the server.
    await expect
      .poll(
        async () =>
          (
            await sql.query(
              "SELECT 1 FROM pg_stat_activity WHERE query LIKE '%pg_sleep(60)%' AND state = 'active' AND pid <> pg_backend_pid()",
            )
          ).rowCount,
        { timeout: 10_000 },
      )
      .toBe(0);
    const after = await runDbtWarm(build("answer"), invocation());
    expect(after.exitCode).toBe(0);
    expect(after.warm?.pid).not.toBe(before.warm?.pid);
  }, 120_000);

  it("commands at once run in processes of their own", async () => {
    const [a, b] = await Promise.all([
      runDbtWarm(build("answer", path.join(project, "target", "a")), invocation()),
      runDbtWarm(build("answer", path.join(project, "target", "b")), invocation()),
    ]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect(a.warm?.pid).not.toBe(b.warm?.pid);
  }, 120_000);

  it("a preparation parses ahead: the next command takes that process and does not parse", async () => {
    stopWarmDbt();
    await writeFile(path.join(project, "models", "answer.sql"), "select 3 as x\n");
    prepareDbtWarm([], invocation());
    const result = await runDbtWarm(build("answer"), invocation());
    expect(result.exitCode).toBe(0);
    expect(result.warm?.parsed).toBe(false);
    expect(await answer()).toBe(3);
  }, 120_000);

  it("a command for another database builds there: the project is parsed for it", async () => {
    // The parsed project names its database in every model: one parsed for the first database
    // would point the second one's build at the first (dbt refuses cross-database references).
    await writeFile(path.join(project, "models", "answer.sql"), "select 4 as x\n");
    expect((await runDbtWarm(build("answer"), invocation())).exitCode).toBe(0);
    const otherUrl = await createTestDatabase({ migrate: false });
    const other = await connectSql(otherUrl);
    try {
      const result = await runDbtWarm(
        build("answer"),
        invocation({ env: connectionEnv(otherUrl) }),
      );
      expect(result.exitCode, result.errors.join("\n")).toBe(0);
      expect(result.warm?.parsed).toBe(true);
      expect((await other.query<{ x: number }>("SELECT x FROM warm.answer")).rows[0]!.x).toBe(4);
    } finally {
      await other.end();
    }
  }, 120_000);

  it("a new process reads the parse state the last one left, and parses only what changed since", async () => {
    await writeFile(path.join(project, "models", "answer.sql"), "select 5 as x\n");
    expect((await runDbtWarm(build("answer"), invocation())).exitCode).toBe(0);
    stopWarmDbt();
    await writeFile(path.join(project, "models", "answer.sql"), "select 6 as x\n");
    const lines: DbtLogLine[] = [];
    const result = await runDbtWarm(build("answer"), invocation({ onLog: (l) => lines.push(l) }));
    expect(result.exitCode, result.errors.join("\n")).toBe(0);
    expect(result.warm?.parsed).toBe(true);
    const names = lines.map((l) => l.name);
    expect(names).toContain("PartialParsingEnabled");
    expect(names).not.toContain("UnableToPartialParse");
    expect(await answer()).toBe(6);
    // The same permissions as a file written there (another user's process may start from it).
    const probe = path.join(project, "target", "probe");
    await writeFile(probe, "");
    const state = path.join(project, "target", "lignee-warm-parse.msgpack");
    expect((await stat(state)).mode & 0o777).toBe((await stat(probe)).mode & 0o777);
  }, 120_000);

  it("a stopped process leaves no folder of its own behind", async () => {
    stopWarmDbt();
    const scratch = await mkdtemp(path.join(tmpdir(), "lignee-warm-scratch-"));
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const own = () => readdirSync(scratch).filter((n) => n.startsWith("lignee-dbt-warm-"));
    try {
      expect((await runDbtWarm(build("answer"), invocation())).exitCode).toBe(0);
      expect(own()).toHaveLength(1);
      stopWarmDbt();
      await expect.poll(own, { timeout: 10_000 }).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(scratch, { recursive: true, force: true });
    }
  }, 120_000);

  it("a missing dbt names the command that installs it", async () => {
    await expect(
      runDbtWarm(build("answer"), invocation({ executable: "/nonexistent/venv/bin/dbt" })),
    ).rejects.toThrow(/bash scripts\/dbt-setup\.sh/);
  });
});
