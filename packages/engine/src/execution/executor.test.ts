import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { defineAsset, type AssetDefinition } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { retryPolicy } from "../definitions/retry-policy";
import { dailyPartitions } from "../partitions/definition";
import { computeStatus } from "../status/asset-status";
import { PostgresStorage } from "../storage/postgres-storage";
import { PermanentError, RetryableError } from "./error-class";
import type { RunEvent } from "./events";
import { executePlan, type ExecuteResult } from "./executor";
import { executeRun, prepareRun } from "./launch";

let storage: PostgresStorage;

beforeAll(async () => {
  storage = PostgresStorage.connect(await createTestDatabase());
});

afterAll(async () => {
  await storage.close();
});

const daily = dailyPartitions({ start: "2024-01-01" });

async function run(
  assets: AssetDefinition<unknown>[],
  selection: string,
  partitions: Parameters<typeof prepareRun>[1]["partitions"] = { kind: "none" },
  options: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<{
  outcome: string;
  events: RunEvent[];
  runId: string;
  definitions: Definitions<unknown>;
}> {
  const definitions = Definitions.create({ assets }) as Definitions<unknown>;
  const events: RunEvent[] = [];
  const prepared = prepareRun(definitions, { selection, partitions }, new Date());
  const result = await executeRun({
    definitions,
    storage,
    prepared,
    onEvent: (e) => events.push(e),
    ...options,
  });
  return { outcome: result.outcome, events, runId: result.runId, definitions };
}

/** An error as Node.js reports a connection reset by the peer: transient. */
function connectionReset(message: string): Error {
  return Object.assign(new Error(message), { code: "ECONNRESET" });
}

/**
 * Runs one asset through `executePlan` with a retry policy of 30 s then 60 s and a `sleep`
 * that only records the delays, so that retries are checked without waiting for them.
 */
async function runWithSleep(
  key: string,
  body: (attempt: number) => void,
): Promise<{
  result: ExecuteResult;
  events: RunEvent[];
  calls: number;
  sleeps: number[];
  runId: string;
}> {
  let calls = 0;
  const asset = defineAsset({
    key,
    retryPolicy: retryPolicy({ maxRetries: 2, delayMs: 30_000, jitter: false }),
    async materialize(ctx) {
      calls++;
      body(ctx.attempt);
    },
  });
  const definitions = Definitions.create({ assets: [asset] }) as Definitions<unknown>;
  const prepared = prepareRun(
    definitions,
    { selection: key, partitions: { kind: "none" } },
    new Date(),
  );
  const runId = randomUUID();
  await storage.createRun({
    id: runId,
    status: "STARTED",
    selection: key,
    assetKeys: [key],
    partitionSpec: { kind: "none" },
    tags: {},
    hostname: "test",
    pid: process.pid,
  });
  const events: RunEvent[] = [];
  const sleeps: number[] = [];
  const result = await executePlan({
    runId,
    plan: prepared.plan,
    definitions,
    storage,
    resources: undefined,
    emit: (e) => events.push(e),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  await storage.appendEvents(runId, events);
  return { result, events, calls, sleeps, runId };
}

describe("executor", () => {
  it("retries with backoff until the asset succeeds", async () => {
    let calls = 0;
    const flaky = defineAsset({
      key: "exec/flaky",
      retryPolicy: retryPolicy({ maxRetries: 3, delayMs: 5, jitter: false }),
      async materialize(ctx) {
        calls++;
        if (ctx.attempt < 3) throw connectionReset(`transient ${ctx.attempt}`);
        return { metadata: { attempt: ctx.attempt } };
      },
    });
    const { outcome, events, runId } = await run([flaky], "exec/flaky");
    expect(outcome).toBe("SUCCESS");
    expect(calls).toBe(3);
    const retries = events.filter((e) => e.type === "STEP_RETRY");
    expect(retries.map((e) => e.data?.delayMs)).toEqual([5, 10]);
    expect(retries[0]?.message).toContain("transient 1");
    const stored = await storage.listEvents(runId);
    expect(stored.map((e) => e.type)).toEqual([
      "RUN_START",
      "STEP_START",
      "STEP_RETRY",
      "STEP_RETRY",
      "MATERIALIZATION",
      "STEP_SUCCESS",
      "RUN_SUCCESS",
    ]);
    expect((await storage.getRun(runId))?.status).toBe("SUCCESS");
  });

  it("fails a step after its retries, keeps the cause, and skips what depends on it", async () => {
    const root = connectionReset("connection reset by the warehouse");
    let calls = 0;
    const broken = defineAsset({
      key: "exec/broken",
      partitions: daily,
      retryPolicy: retryPolicy({ maxRetries: 1, delayMs: 1, jitter: false }),
      async materialize() {
        calls++;
        throw new Error("could not write", { cause: root });
      },
    });
    const after = defineAsset({
      key: "exec/after",
      deps: ["exec/broken"],
      partitions: daily,
      materialize: async () => undefined,
    });
    const { outcome, events, runId, definitions } = await run([broken, after], "exec/broken+", {
      kind: "single",
      key: "2024-01-02",
    });
    expect(outcome).toBe("FAILURE");
    const failure = events.find((e) => e.type === "STEP_FAILURE");
    expect(failure?.message).toContain("could not write");
    // How long the step took, its retries included (metrics observe it).
    expect(failure?.data?.durationMs).toBeGreaterThanOrEqual(0);
    expect(failure?.data?.error).toMatchObject({
      message: "could not write",
      cause: { message: "connection reset by the warehouse" },
    });
    expect(calls).toBe(2);
    expect(events.filter((e) => e.type === "STEP_RETRY")).toHaveLength(1);
    expect(events.find((e) => e.type === "STEP_SKIPPED")?.stepKey).toBe("exec/after[2024-01-02]");
    const run_ = await storage.getRun(runId);
    expect(run_?.status).toBe("FAILURE");
    // The run says what went wrong, not only which step.
    expect(run_?.error).toBe(
      "exec/broken[2024-01-02] failed: could not write: connection reset by the warehouse",
    );
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date()).get(
      "exec/broken",
    )!;
    expect(status.counts.FAILED).toBe(1);
    expect(status.status).toBe("FAILED");
  });

  it("fails a step at once on a permanent error: one attempt, no retry, no wait", async () => {
    const { events, calls, sleeps, result, runId } = await runWithSleep(
      "exec/malformed",
      (attempt) => {
        throw new Error(`offres-2024-01-03.ndjson line 12: not a JSON offer (attempt ${attempt})`);
      },
    );
    expect(result.outcome).toBe("FAILURE");
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["STEP_START", "STEP_FAILURE"]);
    expect(events[1]?.message).toContain("line 12");
    expect((await storage.listEvents(runId)).some((e) => e.type === "STEP_RETRY")).toBe(false);
  });

  it("retries a transient error per the policy, waiting through the injected sleep", async () => {
    const { events, calls, sleeps, result } = await runWithSleep("exec/unreachable", (attempt) => {
      if (attempt < 3) {
        throw new Error("could not reach the API", { cause: connectionReset("socket hang up") });
      }
    });
    expect(result.outcome).toBe("SUCCESS");
    expect(calls).toBe(3);
    expect(sleeps).toEqual([30_000, 60_000]);
    expect(events.filter((e) => e.type === "STEP_RETRY").map((e) => e.data?.attempt)).toEqual([
      1, 2,
    ]);
  });

  it("retries what user code marks retryable, and not what it marks permanent", async () => {
    const retried = await runWithSleep("exec/marked-retryable", (attempt) => {
      if (attempt < 2) throw new RetryableError("the export is not ready yet");
    });
    expect(retried.result.outcome).toBe("SUCCESS");
    expect(retried.calls).toBe(2);
    const permanent = await runWithSleep("exec/marked-permanent", () => {
      throw new PermanentError("gave up", { cause: connectionReset("reset") });
    });
    expect(permanent.result.outcome).toBe("FAILURE");
    expect(permanent.calls).toBe(1);
    expect(permanent.sleeps).toEqual([]);
  });

  it("names the first failed step's cause in the run's error, and how many more failed", async () => {
    const failing = defineAsset({
      key: "exec/bad-days",
      partitions: daily,
      async materialize(ctx) {
        throw new Error(`no data for ${ctx.partitionKey}`);
      },
    });
    const { outcome, runId } = await run([failing], "exec/bad-days", {
      kind: "range",
      from: "2024-03-01",
      to: "2024-03-03",
    });
    expect(outcome).toBe("FAILURE");
    expect((await storage.getRun(runId))?.error).toBe(
      "exec/bad-days[2024-03-01] failed: no data for 2024-03-01 " +
        "(and 2 more step(s): exec/bad-days[2024-03-02], exec/bad-days[2024-03-03])",
    );
  });

  it("never runs more steps at once than the concurrency limit", async () => {
    let inFlight = 0;
    let started = 0;
    let peak = 0;
    const slow = defineAsset({
      key: "exec/slow",
      partitions: daily,
      async materialize() {
        inFlight++;
        started++;
        peak = Math.max(peak, inFlight);
        // Each step holds its slot until the limit is reached (or every step has started), so
        // the peak shows the limit whatever the time each step takes to start.
        const until = Date.now() + 5_000;
        while (inFlight < 3 && started < 10 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 2));
        }
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
      },
    });
    const { outcome, events } = await run(
      [slow],
      "exec/slow",
      { kind: "range", from: "2024-02-01", to: "2024-02-10" },
      { concurrency: 3 },
    );
    expect(outcome).toBe("SUCCESS");
    expect(peak).toBe(3);
    expect(events.filter((e) => e.type === "STEP_SUCCESS")).toHaveLength(10);
  });

  it("starts each asset of a run early instead of queueing it behind another asset's partitions", async () => {
    const order: string[] = [];
    const days = defineAsset({
      key: "fair/days",
      partitions: daily,
      async materialize(ctx) {
        order.push(`days[${ctx.partitionKey}]`);
      },
    });
    const reference = defineAsset({
      key: "fair/reference",
      async materialize() {
        order.push("reference");
      },
    });
    const report = defineAsset({
      key: "fair/report",
      deps: ["fair/reference"],
      async materialize() {
        order.push("report");
      },
    });
    const { outcome } = await run(
      [days, reference, report],
      "fair/*",
      { kind: "range", from: "2024-03-01", to: "2024-03-04" },
      { concurrency: 1 },
    );
    expect(outcome).toBe("SUCCESS");
    // One step at a time: the reference asset starts second (not after every day), and its
    // downstream as soon as it is ready, ahead of the days' remaining partitions.
    expect(order).toEqual([
      "days[2024-03-01]",
      "reference",
      "report",
      "days[2024-03-02]",
      "days[2024-03-03]",
      "days[2024-03-04]",
    ]);
  });

  it("cancels: running steps see the abort, pending steps are skipped, the run ends CANCELED", async () => {
    const controller = new AbortController();
    let sawAbort = false;
    const waits = defineAsset({
      key: "exec/waits",
      partitions: daily,
      async materialize(ctx) {
        await new Promise<void>((resolve, reject) => {
          ctx.signal.addEventListener("abort", () => {
            sawAbort = true;
            reject(new Error("aborted"));
          });
          setTimeout(() => controller.abort(), 10);
          setTimeout(resolve, 5_000);
        });
      },
    });
    const { outcome, events, runId } = await run(
      [waits],
      "exec/waits",
      { kind: "range", from: "2024-03-01", to: "2024-03-05" },
      { concurrency: 1, signal: controller.signal },
    );
    expect(outcome).toBe("CANCELED");
    expect(sawAbort).toBe(true);
    expect(events.filter((e) => e.type === "STEP_SKIPPED")).toHaveLength(4);
    expect((await storage.getRun(runId))?.status).toBe("CANCELED");
    const summary = (await storage.getAssetSummaries()).get("exec/waits");
    expect(summary?.running.isEmpty ?? true).toBe(true);
  });

  it("gives the asset its partition, time window, logger and records input versions", async () => {
    const seen: unknown[] = [];
    const up = defineAsset({
      key: "exec/up",
      partitions: daily,
      materialize: async () => ({ dataVersion: "up-v1" }),
    });
    const down = defineAsset({
      key: "exec/down",
      deps: ["exec/up"],
      partitions: daily,
      async materialize(ctx) {
        ctx.log.info(`hello ${ctx.partitionKey}`);
        seen.push([
          ctx.partitionKey,
          ctx.partitionTimeWindow?.start.toISOString(),
          ctx.partitionTimeWindow?.end.toISOString(),
        ]);
      },
    });
    const { events } = await run([up, down], "exec/up+", { kind: "single", key: "2024-10-27" });
    // 2024-10-27 in Europe/Paris is 25 hours long.
    expect(seen).toEqual([["2024-10-27", "2024-10-26T22:00:00.000Z", "2024-10-27T23:00:00.000Z"]]);
    expect(events.find((e) => e.type === "LOG")).toMatchObject({
      message: "hello 2024-10-27",
      level: "info",
    });
    const [latest] = await storage.listMaterializations("exec/down", { limit: 1 });
    expect(latest?.inputVersions).toEqual({ "exec/up": "up-v1" });
  });
});

describe("per-partition metadata", () => {
  it("records each partition's own entries over the step's, and the step's measured duration", async () => {
    const asset = defineAsset({
      key: "exec/per_day",
      partitions: daily,
      backfillPolicy: "single-run",
      materialize: async () => ({
        metadata: { build_rows_affected: 30 },
        partitionMetadata: {
          "2024-02-01": { row_count: 10 },
          "2024-02-02": { row_count: 20 },
        },
      }),
    });
    const { outcome, events, runId } = await run([asset], "exec/per_day", {
      kind: "range",
      from: "2024-02-01",
      to: "2024-02-03",
    });
    expect(outcome).toBe("SUCCESS");
    const rows = await storage.listMaterializations("exec/per_day", { limit: 10 });
    const byDay = Object.fromEntries(rows.map((m) => [m.partitionKey, m.metadata]));
    expect(byDay).toEqual({
      "2024-02-01": { build_rows_affected: 30, row_count: 10 },
      "2024-02-02": { build_rows_affected: 30, row_count: 20 },
      "2024-02-03": { build_rows_affected: 30 },
    });
    // The step's success says what its duration covered, for estimates of later launches.
    expect(events.find((e) => e.type === "STEP_SUCCESS")?.data).toMatchObject({
      partitionCount: 3,
      assetKeys: ["exec/per_day"],
    });
    const measured = await storage.recentStepDurations(["exec/per_day", "exec/none"], 5);
    expect(measured).toEqual([
      { assetKey: "exec/per_day", durationMs: expect.any(Number) as number, partitions: 3 },
    ]);
    expect(runId).toBeTruthy();
  });
});

describe("asset-group runners", () => {
  it("materialises the selected assets of a runner in one call; one member can fail alone", async () => {
    const calls: string[][] = [];
    const runner = {
      key: "group-runner",
      async run(ctx: import("../definitions/asset").GroupMaterializeContext<unknown>) {
        calls.push(ctx.members.map((m) => m.assetKey));
        ctx.logFor("grp/b").warn("b is broken");
        return {
          "grp/a": { ok: true as const, metadata: { rows: 1 } },
          "grp/b": { ok: false as const, error: new Error("syntax error in b") },
          "grp/c": { ok: true as const, metadata: { rows: 3 } },
        };
      },
    };
    const assets = [
      defineAsset({ key: "grp/src", materialize: async () => undefined }),
      defineAsset({ key: "grp/a", deps: ["grp/src"], runner }),
      defineAsset({ key: "grp/b", deps: ["grp/a"], runner }),
      defineAsset({ key: "grp/c", runner }),
    ];
    const { outcome, events, definitions } = await run(assets, "grp/src+,grp/c");
    // Members in topological order (alphabetical ties): grp/c is in the first layer.
    expect(calls).toEqual([["grp/c", "grp/a", "grp/b"]]);
    expect(outcome).toBe("FAILURE");
    const materialized = events.filter((e) => e.type === "MATERIALIZATION").map((e) => e.assetKey);
    expect(materialized).toEqual(["grp/src", "grp/c", "grp/a"]);
    expect(events.find((e) => e.type === "LOG" && e.level === "warn")?.assetKey).toBe("grp/b");
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(status.get("grp/a")?.status).toBe("FRESH");
    expect(status.get("grp/b")?.status).toBe("FAILED");
    expect(status.get("grp/c")?.status).toBe("FRESH");
  });
});
