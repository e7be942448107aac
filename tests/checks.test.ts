import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  dailyPartitions,
  defineAsset,
  defineCheck,
  Definitions,
  describeCause,
  eagerDecision,
  partitionKeys,
  executeRun,
  PostgresStorage,
  prepareRun,
  type AssetDefinition,
  type CheckDefinition,
  type PartitionRequest,
  type RunEvent,
  RetryableError,
  retryPolicy,
} from "@lignee/engine";
import { createTestDatabase } from "./support/database";

/**
 * Asset checks end to end through the engine's public API, against real PostgreSQL: checks run
 * after their asset's materialisation, per partition; a failed `error` check holds what reads
 * the failed partition (in the run, in status, in eager automation) until it passes again or is
 * switched off; `warn` checks and `blockOnChecks: false` hold nothing.
 */
let storage: PostgresStorage;
let url: string;

beforeAll(async () => {
  url = await createTestDatabase();
  storage = PostgresStorage.connect(url);
});

afterAll(async () => {
  await storage.close();
});

const daily = dailyPartitions({ start: "2024-01-01" });

/** Assets named after the test (`<prefix>/up`, `<prefix>/down`) so tests share one database. */
function chain(
  prefix: string,
  options: { partitioned?: boolean; blockOnChecks?: boolean; eager?: boolean } = {},
): { up: AssetDefinition<unknown>; down: AssetDefinition<unknown>; built: string[] } {
  const built: string[] = [];
  const partitions = options.partitioned ? daily : undefined;
  const up = defineAsset({
    key: `${prefix}/up`,
    ...(partitions ? { partitions } : {}),
    materialize: async (ctx) => {
      built.push(`up:${ctx.partitionKey ?? ""}`);
    },
  });
  const down = defineAsset({
    key: `${prefix}/down`,
    ...(partitions ? { partitions } : {}),
    deps:
      options.blockOnChecks === false
        ? [{ asset: `${prefix}/up`, blockOnChecks: false }]
        : [`${prefix}/up`],
    ...(options.eager ? { automation: "eager" as const } : {}),
    materialize: async (ctx) => {
      built.push(`down:${ctx.partitionKey ?? ""}`);
    },
  });
  return { up, down, built };
}

/** A check on `asset` that fails on the partitions in `failing` (every one when "all"). */
function check(
  asset: string,
  severity: "error" | "warn",
  failing: Set<string> | "all",
  name = "no_duplicates",
): CheckDefinition<unknown> {
  return defineCheck({
    asset,
    name,
    severity,
    async evaluate(ctx) {
      const fails = failing === "all" || failing.has(ctx.partitionKey ?? "");
      return fails
        ? { passed: false, description: "3 duplicate ids", metadata: { duplicates: 3 } }
        : { passed: true, metadata: { duplicates: 0 } };
    },
  });
}

async function run(
  definitions: Definitions<unknown>,
  selection: string,
  partitions: PartitionRequest = { kind: "none" },
  checksOnly = false,
): Promise<{ outcome: string; events: RunEvent[]; runId: string; error: string | null }> {
  const events: RunEvent[] = [];
  const prepared = prepareRun(definitions, { selection, partitions, checksOnly }, new Date());
  const result = await executeRun({
    definitions,
    storage,
    prepared,
    onEvent: (e) => events.push(e),
  });
  const record = await storage.getRun(result.runId);
  return { outcome: result.outcome, events, runId: result.runId, error: record?.error ?? null };
}

async function causesOf(definitions: Definitions<unknown>, key: string): Promise<string[]> {
  const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
  return status.get(key)!.causes.map(describeCause);
}

describe("asset checks", () => {
  it("a failing error check holds the downstream asset in the same run, with its cause", async () => {
    const { up, down, built } = chain("held");
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("held/up", "error", "all")],
    }) as Definitions<unknown>;
    const r = await run(definitions, "held/up+");
    expect(built).toEqual(["up:"]);
    expect(r.outcome).toBe("FAILURE");
    expect(r.error).toContain("blocked by failed check held/up:no_duplicates");
    const skipped = r.events.find((e) => e.type === "STEP_SKIPPED");
    expect(skipped?.stepKey).toBe("held/down");
    expect(skipped?.message).toBe("Skipped: blocked by failed check held/up:no_duplicates");
    const evaluation = r.events.find((e) => e.type === "CHECK_EVALUATION");
    expect(evaluation?.level).toBe("error");
    expect(evaluation?.message).toContain("3 duplicate ids");
    // The data was written: the materialisation is recorded, the result too, with its metadata.
    expect(await storage.listMaterializations("held/up")).toHaveLength(1);
    const [latest] = await storage.latestCheckResults("held/up");
    expect(latest).toMatchObject({ passed: false, severity: "error", runId: r.runId });
    expect(latest?.metadata).toEqual({ duplicates: 3 });
    expect(latest?.durationMs).toBeTypeOf("number");
    expect(await causesOf(definitions, "held/down")).toContain(
      "blocked by failed check held/up:no_duplicates",
    );
    // The failure is announced once in the alert outbox, and so is the run's failure.
    const alerts = await alertsFor(r.runId);
    expect(alerts).toEqual([
      {
        kind: "check_failed",
        dedupe_key: `check_failed:${r.runId}:held/up:no_duplicates:`,
        payload: expect.objectContaining({ asset: "held/up", check: "no_duplicates" }),
      },
      {
        kind: "run_failed",
        dedupe_key: `run_failed:${r.runId}`,
        payload: expect.objectContaining({
          rootCause: expect.stringContaining("blocked by failed check held/up:no_duplicates"),
        }),
      },
    ]);
  });

  it("a failing warn check is reported and holds nothing", async () => {
    const { up, down, built } = chain("warned");
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("warned/up", "warn", "all")],
    }) as Definitions<unknown>;
    const r = await run(definitions, "warned/up+");
    expect(r.outcome).toBe("SUCCESS");
    expect(built).toEqual(["up:", "down:"]);
    expect(r.events.find((e) => e.type === "CHECK_EVALUATION")?.level).toBe("warn");
    expect(await alertsFor(r.runId)).toHaveLength(1);
    expect(await causesOf(definitions, "warned/down")).toEqual([]);
  });

  it("a dependency with blockOnChecks: false is not held", async () => {
    const { up, down, built } = chain("optout", { blockOnChecks: false });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("optout/up", "error", "all")],
    }) as Definitions<unknown>;
    const r = await run(definitions, "optout/up+");
    expect(built).toEqual(["up:", "down:"]);
    // The check failed: the run says so, but nothing was held.
    expect(r.outcome).toBe("FAILURE");
    expect(r.events.some((e) => e.type === "STEP_SKIPPED")).toBe(false);
    expect(await causesOf(definitions, "optout/down")).toEqual([]);
  });

  it("per partition: a range where one day fails holds only that day's downstream", async () => {
    const { up, down, built } = chain("range", { partitioned: true });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("range/up", "error", new Set(["2024-01-02"]))],
    }) as Definitions<unknown>;
    const r = await run(definitions, "range/up+", {
      kind: "range",
      from: "2024-01-01",
      to: "2024-01-03",
    });
    expect(r.outcome).toBe("FAILURE");
    expect(built.filter((b) => b.startsWith("down:")).sort()).toEqual([
      "down:2024-01-01",
      "down:2024-01-03",
    ]);
    const skipped = r.events.filter((e) => e.type === "STEP_SKIPPED");
    expect(skipped.map((e) => e.stepKey)).toEqual(["range/down[2024-01-02]"]);
    expect(skipped[0]?.message).toBe(
      "Skipped: blocked by failed check range/up:no_duplicates on partition 2024-01-02",
    );
    const results = await storage.latestCheckResults("range/up");
    expect(results.map((c) => [c.partitionKey, c.passed]).sort()).toEqual([
      ["2024-01-01", true],
      ["2024-01-02", false],
      ["2024-01-03", true],
    ]);
    const status = computeStatus(definitions, await storage.getAssetSummaries(), new Date());
    expect(partitionKeys(daily, status.get("range/down")!.held)).toEqual(["2024-01-02"]);
  });

  it("switching the check off lifts the hold; on again restores it", async () => {
    const { up, down } = chain("switch");
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("switch/up", "error", "all")],
    }) as Definitions<unknown>;
    await run(definitions, "switch/up");
    expect(await causesOf(definitions, "switch/down")).toHaveLength(1);
    await storage.setCheckEnabled({
      assetKey: "switch/up",
      checkName: "no_duplicates",
      enabled: false,
    });
    expect(await causesOf(definitions, "switch/down")).toEqual([]);
    // A disabled check is not evaluated either.
    const r = await run(definitions, "switch/up+");
    expect(r.outcome).toBe("SUCCESS");
    expect(r.events.some((e) => e.type === "CHECK_EVALUATION")).toBe(false);
    await storage.setCheckEnabled({
      assetKey: "switch/up",
      checkName: "no_duplicates",
      enabled: true,
    });
    expect(await causesOf(definitions, "switch/down")).toHaveLength(1);
  });

  it("a checks-only run re-evaluates without materialising, and lifts the hold when it passes", async () => {
    const failing = new Set(["2024-01-05"]);
    const { up, down, built } = chain("recheck", { partitioned: true });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("recheck/up", "error", failing)],
    }) as Definitions<unknown>;
    await run(definitions, "recheck/up", { kind: "single", key: "2024-01-05" });
    expect(await causesOf(definitions, "recheck/down")).toContain(
      "blocked by failed check recheck/up:no_duplicates on partition 2024-01-05",
    );
    failing.clear();
    built.length = 0;
    const r = await run(definitions, "recheck/up", { kind: "single", key: "2024-01-05" }, true);
    expect(r.outcome).toBe("SUCCESS");
    expect(built).toEqual([]);
    expect(r.events.filter((e) => e.type === "CHECK_EVALUATION")).toHaveLength(1);
    // It built nothing: it does not count in the estimates of materialisations.
    expect(await storage.recentStepDurations(["recheck/up"], 10)).toHaveLength(1);
    expect(
      (await causesOf(definitions, "recheck/down")).filter((c) => c.startsWith("blocked")),
    ).toEqual([]);
  });

  it("a checks-only run over assets without checks is bad input", () => {
    const { up, down } = chain("nocheck");
    const definitions = Definitions.create<unknown>({ assets: [up, down] }) as Definitions<unknown>;
    expect(() =>
      prepareRun(
        definitions,
        { selection: "nocheck/up", partitions: { kind: "none" }, checksOnly: true },
        new Date(),
      ),
    ).toThrow(/no check to run/);
  });

  it("evaluate throwing is a failed evaluation with the error, never a crashed run", async () => {
    const { up, down, built } = chain("thrown");
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [
        defineCheck({
          asset: "thrown/up",
          name: "explodes",
          evaluate: async () => {
            throw new Error("relation does not exist");
          },
        }),
      ],
    }) as Definitions<unknown>;
    const r = await run(definitions, "thrown/up+");
    expect(r.outcome).toBe("FAILURE");
    expect(built).toEqual(["up:"]);
    const [latest] = await storage.latestCheckResults("thrown/up");
    expect(latest?.description).toContain("relation does not exist");
  });

  it("eager automation does not queue a held partition, and says why", async () => {
    const { up, down } = chain("eager", { partitioned: true, eager: true });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("eager/up", "error", new Set(["2024-01-02"]))],
    }) as Definitions<unknown>;
    await run(definitions, "eager/up", { kind: "range", from: "2024-01-01", to: "2024-01-02" });
    const now = new Date();
    const statuses = computeStatus(definitions, await storage.getAssetSummaries(), now);
    const decision = eagerDecision({
      definitions,
      statuses,
      activeAssets: new Set(),
      disabled: new Set(),
      now,
    });
    expect(decision.kind).toBe("run");
    if (decision.kind !== "run") return;
    expect(partitionKeys(daily, decision.targets.get("eager/down")!)).toEqual(["2024-01-01"]);

    // With only the held day left to build, automation skips and names the check.
    await run(definitions, "eager/down", { kind: "single", key: "2024-01-01" });
    const later = computeStatus(definitions, await storage.getAssetSummaries(), now);
    const skip = eagerDecision({
      definitions,
      statuses: later,
      activeAssets: new Set(),
      disabled: new Set(),
      now,
    });
    expect(skip).toEqual({
      kind: "skip",
      reason:
        "held: eager/down blocked by failed check eager/up:no_duplicates on partition 2024-01-02",
    });
  });

  it("a scheduled run holds what reads a partition that failed before; an explicit run does not", async () => {
    const { up, down, built } = chain("sched", { partitioned: true });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [check("sched/up", "error", new Set(["2024-01-02"]))],
    }) as Definitions<unknown>;
    await run(definitions, "sched/up", { kind: "range", from: "2024-01-01", to: "2024-01-02" });
    built.length = 0;
    const request = { kind: "range", from: "2024-01-01", to: "2024-01-02" } as const;
    const prepared = prepareRun(
      definitions,
      { selection: "sched/down", partitions: request },
      new Date(),
    );
    const events: RunEvent[] = [];
    const scheduled = await executeRun({
      definitions,
      storage,
      prepared,
      tags: { trigger: "schedule" },
      onEvent: (e) => events.push(e),
    });
    expect(built).toEqual(["down:2024-01-01"]);
    expect(scheduled.outcome).toBe("FAILURE");
    expect(events.find((e) => e.type === "STEP_SKIPPED")?.message).toBe(
      "Skipped: blocked by failed check sched/up:no_duplicates on partition 2024-01-02",
    );
    built.length = 0;
    const explicit = await run(definitions, "sched/down", request);
    expect(explicit.outcome).toBe("SUCCESS");
    expect(built.sort()).toEqual(["down:2024-01-01", "down:2024-01-02"]);
  });

  it("results a runner reports are stored per partition (partitionKey, or every partition of the call)", async () => {
    const runner = {
      key: "fake-dbt",
      run: async (ctx: {
        members: readonly { assetKey: string; partitionKeys: readonly string[] }[];
      }) =>
        Object.fromEntries(
          ctx.members.map((m) => [
            m.assetKey,
            {
              ok: true as const,
              checks: [
                // A test run once per call: it applies to every partition of the call.
                { name: "not_null_id", passed: true, severity: "error" as const },
                // A test run per day: it names its partition.
                ...m.partitionKeys.map((k) => ({
                  name: "unique_id",
                  passed: k !== "2024-01-02",
                  severity: "error" as const,
                  partitionKey: k,
                })),
              ],
            },
          ]),
        ),
    };
    const model = defineAsset({
      key: "runner/model",
      partitions: daily,
      runner,
      checkSpecs: [
        { name: "not_null_id", severity: "error" },
        { name: "unique_id", severity: "error" },
      ],
    });
    const definitions = Definitions.create<unknown>({ assets: [model] }) as Definitions<unknown>;
    const r = await run(definitions, "runner/model", {
      kind: "range",
      from: "2024-01-01",
      to: "2024-01-03",
    });
    expect(r.outcome).toBe("FAILURE");
    const results = await storage.latestCheckResults("runner/model");
    expect(results.map((c) => `${c.checkName} ${c.partitionKey} ${c.passed}`).sort()).toEqual([
      "not_null_id 2024-01-01 true",
      "not_null_id 2024-01-02 true",
      "not_null_id 2024-01-03 true",
      "unique_id 2024-01-01 true",
      "unique_id 2024-01-02 false",
      "unique_id 2024-01-03 true",
    ]);
    const failed = (await storage.failedErrorChecks()).get("runner/model");
    expect(failed?.map((f) => [f.checkName, partitionKeys(daily, f.partitions)])).toEqual([
      ["unique_id", ["2024-01-02"]],
    ]);
  });

  it("a runner's members' checks start once all of them are committed, while the runner goes on; a retried attempt's are dropped", async () => {
    // The runner commits both members, then waits for a check to start before returning, as
    // dbt's tests run after its models: without the early start it would wait in vain.
    let checkStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (checkStarted = resolve));
    const evaluations: string[] = [];
    const order: string[] = [];
    let attempts = 0;
    const runner = {
      key: "early-runner",
      run: async (ctx: {
        attempt: number;
        members: readonly { assetKey: string }[];
        committed?: (assetKey: string) => void;
      }) => {
        attempts++;
        for (const m of ctx.members) ctx.committed?.(m.assetKey);
        const waited = await Promise.race([
          started.then(() => "started"),
          new Promise((resolve) => setTimeout(() => resolve("timed out"), 5_000)),
        ]);
        order.push(`runner ${ctx.attempt} ${waited}`);
        if (ctx.attempt === 1) throw new RetryableError("flaky");
        return Object.fromEntries(ctx.members.map((m) => [m.assetKey, { ok: true as const }]));
      },
    };
    const check = (asset: string) =>
      defineCheck({
        asset,
        name: "rows",
        severity: "error",
        evaluate: async (ctx) => {
          evaluations.push(`${ctx.assetKey}:${ctx.partitionKey}`);
          checkStarted();
          return { passed: ctx.partitionKey !== "2024-01-02" };
        },
      });
    const a = defineAsset({
      key: "early/a",
      partitions: daily,
      runner,
      retryPolicy: retryPolicy({ maxRetries: 1, delayMs: 0 }),
    });
    const b = defineAsset({
      key: "early/b",
      partitions: daily,
      runner,
      retryPolicy: retryPolicy({ maxRetries: 1, delayMs: 0 }),
    });
    const definitions = Definitions.create<unknown>({
      assets: [a, b],
      checks: [check("early/a"), check("early/b")],
    }) as Definitions<unknown>;
    const r = await run(definitions, "early/a,early/b", {
      kind: "range",
      from: "2024-01-01",
      to: "2024-01-02",
    });
    expect(r.outcome).toBe("FAILURE");
    expect(attempts).toBe(2);
    expect(order).toEqual(["runner 1 started", "runner 2 started"]);
    // Both attempts started them (the second all 4); what the failed attempt had not begun yet
    // was cancelled with it, and its results are not recorded.
    expect(evaluations.length).toBeGreaterThanOrEqual(5);
    expect(evaluations.length).toBeLessThanOrEqual(8);
    for (const asset of ["early/a", "early/b"]) {
      const results = await storage.latestCheckResults(asset);
      expect(results.map((c) => `${c.checkName} ${c.partitionKey} ${c.passed}`).sort()).toEqual([
        "rows 2024-01-01 true",
        "rows 2024-01-02 false",
      ]);
    }
  });

  it("a result the materialisation reports under a declared check's name stands in for its evaluation there", async () => {
    const evaluated: string[] = [];
    const up = defineAsset({
      key: "standin/up",
      partitions: daily,
      // Checked while written, on the first day only; reported as `warn`, declared `error`.
      materialize: async (ctx) =>
        ctx.partitionKey === "2024-01-01"
          ? {
              checks: [
                {
                  name: "no_duplicates",
                  passed: false,
                  severity: "warn" as const,
                  description: "2 duplicates seen while loading",
                },
              ],
            }
          : {},
    });
    const down = defineAsset({
      key: "standin/down",
      partitions: daily,
      deps: ["standin/up"],
      materialize: async () => undefined,
    });
    const definitions = Definitions.create<unknown>({
      assets: [up, down],
      checks: [
        defineCheck({
          asset: "standin/up",
          name: "no_duplicates",
          severity: "error",
          evaluate: async (ctx) => {
            evaluated.push(ctx.partitionKey ?? "");
            return { passed: true, description: "evaluated" };
          },
        }),
      ],
    }) as Definitions<unknown>;
    const r = await run(definitions, "standin/up", {
      kind: "range",
      from: "2024-01-01",
      to: "2024-01-02",
    });
    // The reported failure is an `error` check's: the run fails, as after an evaluation.
    expect(r.outcome).toBe("FAILURE");
    expect(r.error).toContain("no_duplicates");
    expect(evaluated).toEqual(["2024-01-02"]);
    expect(r.events.filter((e) => e.type === "CHECK_EVALUATION")).toHaveLength(2);
    const results = await storage.latestCheckResults("standin/up");
    expect(
      results.map((c) => `${c.partitionKey} ${c.passed} ${c.severity} ${c.description}`).sort(),
    ).toEqual([
      "2024-01-01 false error 2 duplicates seen while loading",
      "2024-01-02 true error evaluated",
    ]);
    expect(await causesOf(definitions, "standin/down")).toContain(
      "blocked by failed check standin/up:no_duplicates on partition 2024-01-01",
    );
    // `lignee check` evaluates it: the materialisation is not there to report.
    const again = await run(definitions, "standin/up", { kind: "single", key: "2024-01-01" }, true);
    expect(again.outcome).toBe("SUCCESS");
    expect(evaluated).toEqual(["2024-01-02", "2024-01-01"]);
  });

  it("a runner's report stands in for a declared check started early: one result, the reported one", async () => {
    let evaluations = 0;
    const runner = {
      key: "standin-runner",
      run: async (ctx: {
        members: readonly { assetKey: string }[];
        committed?: (assetKey: string) => void;
      }) => {
        for (const m of ctx.members) ctx.committed?.(m.assetKey);
        return Object.fromEntries(
          ctx.members.map((m) => [
            m.assetKey,
            {
              ok: true as const,
              checks: [{ name: "rows", passed: false, severity: "error" as const }],
            },
          ]),
        );
      },
    };
    const model = defineAsset({ key: "standin/model", partitions: daily, runner });
    const definitions = Definitions.create<unknown>({
      assets: [model],
      checks: [
        defineCheck({
          asset: "standin/model",
          name: "rows",
          evaluate: async () => {
            evaluations++;
            return { passed: true };
          },
        }),
      ],
    }) as Definitions<unknown>;
    const r = await run(definitions, "standin/model", { kind: "single", key: "2024-01-03" });
    expect(r.outcome).toBe("FAILURE");
    // Started early (the member was committed), then dropped for the reported result.
    expect(evaluations).toBe(1);
    const results = await storage.latestCheckResults("standin/model");
    expect(results.map((c) => `${c.checkName} ${c.partitionKey} ${c.passed}`)).toEqual([
      "rows 2024-01-03 false",
    ]);
    expect(r.events.filter((e) => e.type === "CHECK_EVALUATION")).toHaveLength(1);
  });
});

async function alertsFor(runId: string): Promise<unknown[]> {
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query(
      `SELECT kind, dedupe_key, payload FROM lignee.alert_events
       WHERE payload->>'runId' = $1 ORDER BY id`,
      [runId],
    );
    return result.rows;
  } finally {
    await client.end();
  }
}
