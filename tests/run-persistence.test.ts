import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  IntervalSet,
  defineAsset,
  Definitions,
  executeRun,
  PostgresStorage,
  prepareRun,
  type AssetDefinition,
  type PartitionRequest,
  type RunEvent,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * What a run writes is all stored, in order, whatever the batching of its writes: the events
 * the executor emits are the run log, each materialisation records its data version, inputs and
 * roll-ups (versions, digests, stale marks, running marks), and the run's end carries its
 * announcement when it is news.
 */
let url: string;
let storage: PostgresStorage;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
});

afterAll(async () => {
  await storage.close();
});

const CHAIN = 10;
const key = (i: number): string => `chain/step_${String(i).padStart(2, "0")}`;

/** step_00 → … → step_09; each returns `v<version>-<i>` as its data version. */
function chain(version: string): Definitions<unknown> {
  return Definitions.create({
    assets: Array.from({ length: CHAIN }, (_, i) =>
      defineAsset({
        key: key(i),
        deps: i === 0 ? [] : [key(i - 1)],
        materialize: async (ctx) => {
          ctx.log.info(`building ${key(i)}`);
          return { dataVersion: `v${version}-${i}`, metadata: { step: i } };
        },
      }),
    ),
  }) as Definitions<unknown>;
}

async function run(
  definitions: Definitions<unknown>,
  selection: string,
  partitions: PartitionRequest = { kind: "none" },
  launchedBy?: Parameters<typeof executeRun>[0]["launchedBy"],
): Promise<{ runId: string; outcome: string; emitted: RunEvent[] }> {
  const emitted: RunEvent[] = [];
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  const result = await executeRun({
    definitions,
    storage,
    prepared,
    concurrency: 1,
    onEvent: (e) => emitted.push(e),
    ...(launchedBy ? { launchedBy } : {}),
  });
  return { runId: result.runId, outcome: result.outcome, emitted };
}

async function alertEvents(): Promise<{ kind: string; dedupe_key: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ kind: string; dedupe_key: string }>(
      "SELECT kind, dedupe_key FROM lignee.alert_events ORDER BY id",
    );
    return result.rows;
  } finally {
    await client.end();
  }
}

describe("a chain of ten steps", () => {
  it("stores every event in the order emitted, and each materialisation with its inputs", async () => {
    const definitions = chain("1");
    const { runId, outcome, emitted } = await run(definitions, `${key(0)}+`);
    expect(outcome).toBe("SUCCESS");

    const stored = await storage.listEvents(runId);
    const shape = (e: RunEvent): unknown => [e.type, e.stepKey ?? null, e.message];
    expect(stored.map(shape)).toEqual(emitted.map(shape));
    expect(stored.map((e) => e.type)).toEqual([
      "RUN_START",
      ...Array.from({ length: CHAIN }, () => [
        "STEP_START",
        "LOG",
        "MATERIALIZATION",
        "STEP_SUCCESS",
      ]).flat(),
      "RUN_SUCCESS",
    ]);
    expect(stored.filter((e) => e.type === "STEP_START").map((e) => e.stepKey)).toEqual(
      Array.from({ length: CHAIN }, (_, i) => key(i)),
    );
    const ids = stored.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    for (let i = 0; i < CHAIN; i++) {
      const [m, ...older] = await storage.listMaterializations(key(i));
      expect(older).toEqual([]);
      expect(m).toMatchObject({ runId, dataVersion: `v1-${i}`, metadata: { step: i } });
      const digest = await storage.getDigest(key(i));
      expect(digest?.partitionCount).toBe(1);
      if (i > 0) {
        // What the step read: its upstream's digest, as stored when the step ran.
        const upstream = await storage.getDigest(key(i - 1));
        expect(m!.inputVersions).toEqual({
          [key(i - 1)]: `digest:${upstream!.digest}:1`,
        });
      }
    }

    const summaries = await storage.getAssetSummaries();
    const statuses = computeStatus(definitions, summaries, new Date());
    for (let i = 0; i < CHAIN; i++) {
      expect(statuses.get(key(i))?.status, key(i)).toBe("FRESH");
      expect(summaries.get(key(i))?.running.isEmpty).toBe(true);
    }
    expect((await storage.getRun(runId))?.status).toBe("SUCCESS");
    // A success that no schedule launched is not news.
    expect(await alertEvents()).toEqual([]);
  });

  it("a new materialisation upstream marks the rest of the chain stale, and rebuilding it makes it fresh", async () => {
    const definitions = chain("2");
    expect((await run(definitions, key(0))).outcome).toBe("SUCCESS");
    let statuses = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(statuses.get(key(0))?.status).toBe("FRESH");
    for (let i = 1; i < CHAIN; i++) expect(statuses.get(key(i))?.status, key(i)).toBe("STALE");
    expect(statuses.get(key(1))?.causes.map((c) => c.kind)).toContain("upstream-newer");

    expect((await run(definitions, `${key(1)}+`)).outcome).toBe("SUCCESS");
    statuses = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    for (let i = 0; i < CHAIN; i++) expect(statuses.get(key(i))?.status, key(i)).toBe("FRESH");
    const [latest] = await storage.listMaterializations(key(CHAIN - 1));
    expect(latest?.dataVersion).toBe(`v2-${CHAIN - 1}`);
  });
});

describe("partitions", () => {
  const daily = dailyPartitions({ start: "2024-01-01" });
  const asset = (codeVersion: string): AssetDefinition<unknown> =>
    defineAsset({
      key: "days/rows",
      partitions: daily,
      codeVersion,
      materialize: async (ctx) => ({ dataVersion: `${codeVersion}:${ctx.partitionKey}` }),
    }) as AssetDefinition<unknown>;

  it("moves rebuilt partitions to the new code version and keeps the digest of what is stored", async () => {
    const v1 = Definitions.create({ assets: [asset("1")] }) as Definitions<unknown>;
    const range = { kind: "range", from: "2024-01-01", to: "2024-01-03" } as const;
    expect((await run(v1, "days/rows", range)).outcome).toBe("SUCCESS");
    const v2 = Definitions.create({ assets: [asset("2")] }) as Definitions<unknown>;
    expect(
      (await run(v2, "days/rows", { kind: "range", from: "2024-01-01", to: "2024-01-02" })).outcome,
    ).toBe("SUCCESS");

    const now = new Date("2024-01-04T12:00:00Z");
    const status = computeStatus(v2, await storage.getAssetSummaries(), now).get("days/rows")!;
    expect(status.counts.FRESH).toBe(2);
    expect(status.counts.STALE).toBe(1);
    expect(status.causes.map((c) => c.kind)).toEqual(["code-version-changed"]);
    expect((await storage.getDigest("days/rows"))?.partitionCount).toBe(3);
    const latest = await storage.listMaterializations("days/rows", { latestPerPartition: true });
    expect(latest.map((m) => m.dataVersion).sort()).toEqual([
      "1:2024-01-03",
      "2:2024-01-01",
      "2:2024-01-02",
    ]);
  });
});

describe("the end of a run", () => {
  it("announces a failure and a scheduled success with the run's end, and nothing else", async () => {
    const before = (await alertEvents()).length;
    const failing = Definitions.create({
      assets: [
        defineAsset({
          key: "end/failing",
          materialize: async () => {
            throw new Error("boom");
          },
        }),
      ],
    }) as Definitions<unknown>;
    const failed = await run(failing, "end/failing");
    expect(failed.outcome).toBe("FAILURE");
    const ok = Definitions.create({
      assets: [defineAsset({ key: "end/ok", materialize: async () => undefined })],
    }) as Definitions<unknown>;
    await run(ok, "end/ok", { kind: "none" }, { kind: "cli", detail: "someone" });
    const scheduled = await run(
      ok,
      "end/ok",
      { kind: "none" },
      { kind: "schedule", detail: "nightly" },
    );
    expect(scheduled.outcome).toBe("SUCCESS");

    expect((await alertEvents()).slice(before)).toEqual([
      { kind: "run_failed", dedupe_key: `run_failed:${failed.runId}` },
      { kind: "schedule_succeeded", dedupe_key: `schedule_succeeded:${scheduled.runId}` },
    ]);
    const failedRun = await storage.getRun(failed.runId);
    expect(failedRun?.status).toBe("FAILURE");
    expect(failedRun?.error).toMatch(/boom/);
    expect((await storage.getRun(scheduled.runId))?.endedAt).toBeInstanceOf(Date);
  });
});

describe("claims at once", () => {
  it("of one partition by two live runs: exactly one run gets it, every time", async () => {
    const started = async (): Promise<string> => {
      const id = crypto.randomUUID();
      await storage.createRun({
        id,
        status: "STARTED",
        selection: "race/*",
        assetKeys: [],
        partitionSpec: null,
        hostname: "test",
        pid: process.pid,
      });
      return id;
    };
    const [a, b] = [await started(), await started()];
    for (let round = 0; round < 40; round++) {
      const claims = [
        { assetKey: `race/asset_${round % 4}`, partitions: IntervalSet.single(round) },
        { assetKey: "race/shared", partitions: IntervalSet.single(round) },
      ];
      const outcomes = await Promise.all([
        storage.claimPartitions(a, claims),
        storage.claimPartitions(b, claims),
      ]);
      expect(
        outcomes.filter((o) => o.claimed),
        `round ${round}`,
      ).toHaveLength(1);
      const loser = outcomes.find((o) => !o.claimed);
      if (loser && !loser.claimed) expect([a, b]).toContain(loser.holder.runId);
    }
    const running = (await storage.getAssetSummaries()).get("race/shared")?.running;
    expect(running?.size).toBe(40);
  });
});
