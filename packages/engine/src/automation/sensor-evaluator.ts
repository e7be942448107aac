import { randomUUID } from "node:crypto";
import type { Logger } from "../definitions/asset";
import { describeError, InvalidConfigError, isBadInput } from "../errors";
import { isRunConfig } from "../definitions/run-config";
import { checkDynamicPartitionsChanges } from "../partitions/dynamic";
import { describePartitionRequest, partitionRequestOf } from "../planning/partition-request";
import type { MaterializationRecord } from "../storage/storage";
import { queuedRunFor, type AutomationContext } from "./automation-context";
import type { QueuedRun, SensorTickStatus } from "./automation-store";
import { automationRunId } from "./run-id";
import type { SensorContext, SensorDefinition, SensorResult } from "../definitions/sensor";

export interface SensorOutcome {
  readonly sensor: string;
  readonly enabled: boolean;
  readonly status: SensorTickStatus | undefined;
  /** Runs queued by this evaluation (a request already queued under its run key is not). */
  readonly runIds: readonly string[];
  readonly message: string | null;
  /** False when another scheduler evaluated the sensor meanwhile: nothing was written. */
  readonly committed: boolean;
}

/** The most latest materialisations a sensor can read at once for one asset. */
const MATERIALIZATIONS_READ = 100_000;

/**
 * Evaluates one sensor: calls its `evaluate` with its cursor, validates each run request as
 * the API would (a bad one is reported in the tick, the others go on), then, in one
 * transaction, queues the runs, moves the cursor and records the tick. A request with a run key
 * gets a name-based run id, so asking again (a lost cursor, two schedulers) finds the same run.
 */
export async function evaluateSensor(
  ctx: AutomationContext,
  sensor: SensorDefinition,
  now: Date,
  signal: AbortSignal,
): Promise<SensorOutcome> {
  const state = await ctx.store.ensureState("sensor", sensor.name, null);
  if (!state.enabled) {
    return {
      sensor: sensor.name,
      enabled: false,
      status: undefined,
      runIds: [],
      message: null,
      committed: true,
    };
  }
  const record = async (
    status: SensorTickStatus,
    message: string | null,
    cursor: string | null,
    runs: readonly QueuedRun[],
  ): Promise<SensorOutcome> => {
    const committed = await ctx.store.recordSensorTick({
      sensor: sensor.name,
      status,
      message,
      cursor,
      runs,
      cursorUpdate: { kind: "sensor", name: sensor.name, expected: state.cursor, next: cursor },
    });
    if (!committed) {
      ctx.log(
        `sensor ${sensor.name}: evaluated by another scheduler meanwhile; this one is dropped`,
      );
    } else if (runs.length > 0) {
      ctx.log(
        `sensor ${sensor.name}: queued ${runs.length} run(s): ${runs.map((r) => r.id).join(", ")}`,
      );
    }
    if (committed && status === "FAILURE") ctx.log(`sensor ${sensor.name}: ${message}`);
    return {
      sensor: sensor.name,
      enabled: true,
      status,
      runIds: committed ? runs.map((r) => r.id) : [],
      message,
      committed,
    };
  };

  let result: SensorResult;
  try {
    result = (await sensor.evaluate(sensorContext(ctx, sensor, state.cursor, now, signal))) ?? {};
  } catch (error) {
    return record("FAILURE", `evaluation failed: ${describeError(error)}`, state.cursor, []);
  }

  try {
    await applyDynamicPartitionsRequests(ctx, result);
  } catch (error) {
    if (!isBadInput(error)) throw error;
    return record("FAILURE", `refused: ${error.message}`, state.cursor, []);
  }

  const runs: QueuedRun[] = [];
  const problems: string[] = [];
  for (const request of result.runRequests ?? []) {
    const selection = request.selection ?? sensor.selection;
    try {
      const partitions = partitionRequestOf(request.partition, `sensor "${sensor.name}"`);
      const id =
        request.runKey !== undefined
          ? automationRunId(["sensor", sensor.name, request.runKey])
          : randomUUID();
      const tags = { ...(request.tags ?? {}), trigger: "sensor", sensor: sensor.name };
      if (request.config !== undefined && !isRunConfig(request.config))
        throw new InvalidConfigError([], "a run request's config must be an object keyed by asset");
      const queued = await queuedRunFor(
        ctx,
        {
          id,
          selection,
          partitions,
          tags,
          launchedBy: { kind: "sensor", detail: sensor.name },
          ...(request.config ? { config: request.config } : {}),
        },
        now,
      );
      if ("run" in queued) runs.push(queued.run);
      else {
        const what = describePartitionRequest(partitions);
        problems.push(`${selection}${what ? ` [${what}]` : ""}: ${queued.problem}`);
      }
    } catch (error) {
      if (!isBadInput(error)) throw error;
      problems.push(`${selection}: ${error.message}`);
    }
  }
  const cursor = result.cursor === undefined ? state.cursor : result.cursor;
  const status: SensorTickStatus =
    runs.length > 0 ? "SUCCESS" : problems.length > 0 ? "FAILURE" : "SKIPPED";
  const message =
    problems.length > 0
      ? `refused: ${problems.join("; ")}`
      : runs.length === 0
        ? (result.skipReason ?? "nothing new")
        : null;
  return record(status, message, cursor, runs);
}

/**
 * Adds and removes the keys a sensor asked for: every request is checked first (kind, set name,
 * keys), then all are written in one transaction, so a bad one writes nothing. Removing a key
 * already gone is no error: a tick that failed after them (cursor kept) asks them again.
 */
async function applyDynamicPartitionsRequests(
  ctx: AutomationContext,
  result: SensorResult,
): Promise<void> {
  const requests = checkDynamicPartitionsChanges(result.dynamicPartitionsRequests ?? []);
  for (const r of requests) ctx.definitions.requireDynamicPartitionsSet(r.name);
  await ctx.storage.applyDynamicPartitionsChanges(requests);
}

function sensorContext(
  ctx: AutomationContext,
  sensor: SensorDefinition,
  cursor: string | null,
  now: Date,
  signal: AbortSignal,
): SensorContext {
  const line =
    (level: string) =>
    (message: string): void =>
      ctx.log(`sensor ${sensor.name}: ${level === "info" ? "" : `${level}: `}${message}`);
  const log: Logger = {
    debug: () => undefined,
    info: line("info"),
    warn: line("warning"),
    error: line("error"),
  };
  return {
    sensorName: sensor.name,
    cursor,
    now,
    signal,
    log,
    latestMaterializations: async (assetKey) => {
      const records = await ctx.storage.listMaterializations(assetKey, {
        latestPerPartition: true,
        limit: MATERIALIZATIONS_READ,
      });
      return new Map<string, MaterializationRecord>(records.map((r) => [r.partitionKey, r]));
    },
    activeRuns: () => ctx.store.activeRuns(),
    dynamicPartitionKeys: async (name) => {
      ctx.definitions.requireDynamicPartitionsSet(name);
      return (await ctx.storage.readDynamicPartitions([name])).dynamicPartitionKeys(name).keys;
    },
  };
}
