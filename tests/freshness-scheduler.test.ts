import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  dailyPartitions,
  defineAsset,
  Definitions,
  executeRun,
  freshnessLags,
  PostgresAutomationStore,
  PostgresFreshnessStore,
  PostgresStorage,
  prepareRun,
  Scheduler,
  type PartitionRequest,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * Freshness policies evaluated by the scheduler against a real PostgreSQL database, at chosen
 * instants (an injected clock): transitions recorded once with their alert events, whatever
 * the number of schedulers.
 */
let url: string;
let storage: PostgresStorage;
let sql: pg.Client;
const closing: { close(): Promise<void> }[] = [];

const definitions = Definitions.create({
  assets: [
    defineAsset({
      key: "raw/daily",
      partitions: dailyPartitions({ start: "2024-08-01" }),
      freshness: { deadline: "0 7 * * *", timezone: "Europe/Paris" },
      materialize: async () => undefined,
    }),
    defineAsset({
      key: "ref/table",
      freshness: { maxLag: "2h" },
      materialize: async () => undefined,
    }),
  ],
}) as Definitions<unknown>;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});

afterAll(async () => {
  for (const c of closing) await c.close();
  await sql.end();
  await storage.close();
});

function scheduler(intervalMs = 5_000): Scheduler {
  const store = PostgresAutomationStore.connect(url);
  const freshness = PostgresFreshnessStore.connect(url);
  closing.push(store, freshness);
  return new Scheduler({
    definitions,
    storage,
    store,
    freshness,
    intervalMs,
    log: () => undefined,
  });
}

async function materialize(selection: string, partitions: PartitionRequest): Promise<void> {
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  expect((await executeRun({ definitions, storage, prepared })).outcome).toBe("SUCCESS");
}

const events = async () =>
  (
    await sql.query<{ kind: string; dedupe_key: string; subject: string; payload: unknown }>(
      "SELECT kind, dedupe_key, subject, payload FROM lignee.alert_events ORDER BY id",
    )
  ).rows;

const state = async (asset: string) =>
  (
    await sql.query(
      "SELECT state, since, partition_key FROM lignee.freshness_state WHERE asset_key = $1",
      [asset],
    )
  ).rows[0];

const at = (iso: string): Date => new Date(iso);

it("goes overdue at the deadline once with two schedulers, and recovers once when the partition lands", async () => {
  const [a, b] = [scheduler(), scheduler()];
  await materialize("raw/daily", { kind: "range", from: "2024-08-01", to: "2024-08-03" });
  await materialize("ref/table", { kind: "none" });

  // 06:59 Paris on 2024-08-05: yesterday's deadline applies, and 2024-08-03 is there.
  await Promise.all([
    a.evaluate(at("2024-08-05T04:59:00Z")),
    b.evaluate(at("2024-08-05T04:59:00Z")),
  ]);
  expect(await events()).toEqual([]);

  // 07:00 Paris: 2024-08-04 is due and missing. Both schedulers evaluate the same instant.
  const reports = await Promise.all([
    a.evaluate(at("2024-08-05T05:00:00Z")),
    b.evaluate(at("2024-08-05T05:00:00Z")),
  ]);
  expect(reports.flatMap((r) => r.errors)).toEqual([]);
  expect(reports.flatMap((r) => r.freshness!.transitions).map((t) => t.kind)).toEqual(["overdue"]);
  expect(await events()).toEqual([
    {
      kind: "freshness_overdue",
      dedupe_key: "freshness_overdue:raw/daily:2024-08-05T05:00:00.000Z",
      subject:
        'raw/daily is overdue since 2024-08-05T05:00:00.000Z: partition 2024-08-04 missing (previous partition by "0 7 * * *" (Europe/Paris))',
      payload: {
        asset: "raw/daily",
        since: "2024-08-05T05:00:00.000Z",
        partitionKey: "2024-08-04",
        policy: 'previous partition by "0 7 * * *" (Europe/Paris)',
      },
    },
  ]);
  expect(await state("raw/daily")).toEqual({
    state: "overdue",
    since: at("2024-08-05T05:00:00Z"),
    partition_key: "2024-08-04",
  });

  // Still overdue later on: nothing new.
  await Promise.all([
    a.evaluate(at("2024-08-05T06:00:00Z")),
    b.evaluate(at("2024-08-05T06:05:00Z")),
  ]);
  expect(await events()).toHaveLength(1);

  // The partition lands after its deadline: fresh from then on, announced once.
  await materialize("raw/daily", { kind: "single", key: "2024-08-04" });
  const after = await Promise.all([
    a.evaluate(at("2024-08-05T09:00:00Z")),
    b.evaluate(at("2024-08-05T09:00:00Z")),
  ]);
  expect(after.flatMap((r) => r.freshness!.transitions).map((t) => t.kind)).toEqual(["recovered"]);
  const all = await events();
  expect(all.map((e) => [e.kind, e.dedupe_key])).toEqual([
    ["freshness_overdue", "freshness_overdue:raw/daily:2024-08-05T05:00:00.000Z"],
    ["freshness_recovered", "freshness_recovered:raw/daily:2024-08-05T05:00:00.000Z"],
  ]);
  expect(await state("raw/daily")).toEqual({ state: "fresh", since: null, partition_key: null });
  await a.evaluate(at("2024-08-05T10:00:00Z"));
  expect(await events()).toHaveLength(2);
});

it("an unpartitioned asset goes overdue once its latest materialisation is older than maxLag", async () => {
  const s = scheduler();
  const [m] = await storage.listMaterializations("ref/table", { limit: 1 });
  const due = new Date(m!.createdAt.getTime() + 2 * 3_600_000);
  const refEvents = async () =>
    (await events()).filter((e) => e.dedupe_key.includes(":ref/table:")).map((e) => e.kind);
  // Exactly maxLag old is still fresh.
  await s.evaluate(due);
  expect(await refEvents()).toEqual([]);
  const report = await s.evaluate(new Date(due.getTime() + 1_000));
  expect(report.freshness!.transitions.map((t) => t.target.assetKey)).toEqual(["ref/table"]);
  expect(await refEvents()).toEqual(["freshness_overdue"]);
  expect(await state("ref/table")).toEqual({ state: "overdue", since: due, partition_key: null });
  expect(await freshnessLags(definitions, storage, new Date(due.getTime() + 60_000))).toEqual([
    { asset: "raw/daily", lagSeconds: expect.any(Number), overdue: true },
    { asset: "ref/table", lagSeconds: 7_260, overdue: true },
  ]);
});

it("wakes up at a deadline rather than at the end of its interval", () => {
  expect(scheduler().nextWakeUp(at("2024-08-05T04:59:58Z"))).toEqual(at("2024-08-05T05:00:00Z"));
  expect(scheduler().nextWakeUp(at("2024-08-05T05:00:00Z"))).toEqual(at("2024-08-05T05:00:05Z"));
});
