import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  loadDbtAssets,
  type AssetCheckResult,
  type AssetDefinition,
  type GroupMaterializeResult,
} from "@lignee/engine";
import { REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { connectSql } from "./support/sql";

/**
 * dbt tests as checks of their model, with real dbt and PostgreSQL on a small daily-partitioned
 * project (tests/fixtures/dbt-partitioned): declared from the manifest with dbt's severity, and
 * reported per partition.
 */
interface Resources {
  readonly url: string;
}

let url: string;
let sql: pg.Client;
let events: AssetDefinition<Resources>;

beforeAll(async () => {
  url = await createTestDatabase({ migrate: false });
  sql = await connectSql(url);
  await sql.query(`CREATE SCHEMA raw; CREATE TABLE raw.events (jour date, id text, kind text)`);
  const project = path.join(await mkdtemp(path.join(tmpdir(), "lignee-dbt-partitioned-")), "p");
  await cp(path.join(REPO_ROOT, "tests", "fixtures", "dbt-partitioned"), project, {
    recursive: true,
  });
  const assets = await loadDbtAssets<Resources>({
    projectDir: project,
    executable: path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt"),
    keyPrefix: "p",
    connectionUrl: (r) => r.url,
    partitionColumn: "jour",
  });
  events = assets.find((a) => a.key === "p/events")!;
}, 120_000);

afterAll(async () => {
  await sql?.end();
});

async function setEvents(rows: [string, string | null, string][]): Promise<void> {
  await sql.query("TRUNCATE raw.events");
  for (const row of rows) await sql.query("INSERT INTO raw.events VALUES ($1, $2, $3)", row);
}

async function build(partitionKeys: string[]): Promise<AssetCheckResult[]> {
  const noop = (): void => undefined;
  const log = { debug: noop, info: noop, warn: noop, error: noop };
  const result: GroupMaterializeResult = await events.runner!.run({
    runId: "dbt-partition-checks",
    attempt: 1,
    members: [
      {
        assetKey: events.key,
        partitionKeys,
        partitionKeyRange: { start: partitionKeys[0]!, end: partitionKeys.at(-1)! },
      },
    ],
    log,
    logFor: () => log,
    signal: new AbortController().signal,
    resources: { url },
  });
  const member = result[events.key]!;
  if (!member.ok) throw member.error;
  return [...(member.checks ?? [])];
}

/** name → partition → [passed, severity] */
function table(checks: AssetCheckResult[]): Record<string, Record<string, [boolean, string]>> {
  const out: Record<string, Record<string, [boolean, string]>> = {};
  for (const c of checks) (out[c.name] ??= {})[c.partitionKey ?? "-"] = [c.passed, c.severity];
  return out;
}

const DAYS = ["2024-08-01", "2024-08-02", "2024-08-03"];
const NOT_NULL = "not_null_events_id";
const UNIQUE = "unique_events_id";
const SINGULAR = "events_jour_in_august";

describe("dbt tests as checks of a partitioned model", () => {
  it("are declared from the manifest with dbt's severity, before any build", () => {
    expect(events.checkSpecs.map((s) => [s.name, s.severity, s.description])).toEqual([
      [
        expect.stringMatching(/^accepted_values_events_kind/),
        "warn",
        'dbt test accepted_values on kind (values ["a","b"])',
      ],
      [SINGULAR, "error", "dbt singular test tests/events_jour_in_august.sql"],
      [NOT_NULL, "error", "dbt test not_null on id"],
      [UNIQUE, "error", "dbt test unique on id"],
    ]);
  });

  it("a range build reports each partition: failures attributed to the day whose rows fail, the others pass", async () => {
    await setEvents([
      [DAYS[0]!, "1", "a"],
      [DAYS[1]!, null, "b"],
      [DAYS[1]!, "3", "z"],
      [DAYS[2]!, "4", "a"],
    ]);
    const checks = await build(DAYS);
    const accepted = checks.find((c) => c.name.startsWith("accepted_values"))!.name;
    const t = table(checks);
    expect(t[NOT_NULL]).toEqual({
      [DAYS[0]!]: [true, "error"],
      [DAYS[1]!]: [false, "error"],
      [DAYS[2]!]: [true, "error"],
    });
    expect(t[accepted]).toEqual({
      [DAYS[0]!]: [true, "warn"],
      [DAYS[1]!]: [false, "warn"],
      [DAYS[2]!]: [true, "warn"],
    });
    expect(t[UNIQUE]).toEqual(Object.fromEntries(DAYS.map((d) => [d, [true, "error"]])));
    expect(t[SINGULAR]).toEqual(Object.fromEntries(DAYS.map((d) => [d, [true, "error"]])));
    const failed = checks.find((c) => c.name === NOT_NULL && c.partitionKey === DAYS[1])!;
    expect(failed.description).toBe(`fail: 1 failing rows in ${DAYS[1]} (1 in the whole table)`);
    expect(failed.metadata).toMatchObject({ failures: 1, build_failures: 1 });
    expect(checks.find((c) => c.name === NOT_NULL && c.partitionKey === DAYS[0])!.description).toBe(
      `pass in ${DAYS[0]} (failing rows in ${DAYS[1]})`,
    );
  }, 120_000);

  it("a one-partition build reports that partition; a failure no partition has alone fails every partition built", async () => {
    const single = await build([DAYS[1]!]);
    expect(table(single)[NOT_NULL]).toEqual({ [DAYS[1]!]: [false, "error"] });

    // The same id on two days: no day holds a duplicate alone.
    await setEvents([
      [DAYS[0]!, "1", "a"],
      [DAYS[1]!, "2", "b"],
      [DAYS[2]!, "1", "a"],
    ]);
    const checks = await build(DAYS);
    expect(table(checks)[UNIQUE]).toEqual(
      Object.fromEntries(DAYS.map((d) => [d, [false, "error"]])),
    );
    expect(checks.find((c) => c.name === UNIQUE)!.description).toMatch(
      /^fail: .*\(no partition built fails alone\)$/,
    );
    expect(table(checks)[NOT_NULL]).toEqual(
      Object.fromEntries(DAYS.map((d) => [d, [true, "error"]])),
    );
  }, 120_000);
});
