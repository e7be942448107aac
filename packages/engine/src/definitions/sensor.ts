import type { PartitionRequest } from "../partitions/request";
import type { Logger } from "./asset";
import type { MaterializationRecord } from "./materialization-record";
import type { RunConfig } from "./run-config";

/** How often a sensor is evaluated unless it says otherwise: 30 s. */
export const DEFAULT_SENSOR_INTERVAL_MS = 30_000;

/** The name eager automation's evaluations are recorded under, with the sensors' (reserved). */
export const EAGER_TICK_NAME = "eager";

/** A run a sensor asks for. */
export interface SensorRunRequest {
  /** Default: the sensor's selection. */
  readonly selection?: string;
  /** A partition key or request; none for unpartitioned assets. */
  readonly partition?: string | PartitionRequest;
  readonly tags?: Record<string, string>;
  /**
   * The run's config, per asset key (see `RunConfig`), validated as `POST /api/runs` does: an
   * invalid one refuses this request (the tick says why). Default: the schemas' defaults.
   */
  readonly config?: RunConfig;
  /**
   * Names what the request is about (e.g. a file and its version): a request with a key already
   * requested by this sensor never queues a second run, even if the sensor's cursor was lost.
   */
  readonly runKey?: string;
}

/**
 * Keys a sensor adds to or removes from a dynamic partitions set, before its run requests are
 * validated (so that they may name the keys just added). Adding a key already there does nothing.
 */
export interface DynamicPartitionsRequest {
  readonly kind: "add" | "remove";
  /** The set's name, as `dynamicPartitions({ name })` declares it. */
  readonly name: string;
  readonly keys: readonly string[];
}

export interface SensorResult {
  /**
   * Applied first, in order, all in one transaction: a bad one (unknown set, bad key) applies
   * none and fails the tick (cursor kept, no run queued). Adding a key already there and
   * removing one already gone are no-ops, so that a failed tick can ask them again.
   */
  readonly dynamicPartitionsRequests?: readonly DynamicPartitionsRequest[];
  readonly runRequests?: readonly SensorRunRequest[];
  /** The new cursor; undefined keeps the current one, null clears it. */
  readonly cursor?: string | null;
  /** Why nothing was requested, shown in the sensor's history. */
  readonly skipReason?: string;
}

/** A run waiting in the queue or executing. */
export interface ActiveRun {
  readonly id: string;
  readonly status: "QUEUED" | "STARTED";
  readonly assetKeys: readonly string[];
  /** Undefined when the stored request is unreadable. */
  readonly partitions: PartitionRequest | undefined;
  readonly tags: Readonly<Record<string, string>>;
}

/** What a sensor's `evaluate` receives. */
export interface SensorContext {
  readonly sensorName: string;
  /** The cursor the previous evaluation returned (null at first). */
  readonly cursor: string | null;
  readonly now: Date;
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** The latest materialisation of each partition of an asset, by partition key ("" unpartitioned). */
  latestMaterializations(assetKey: string): Promise<ReadonlyMap<string, MaterializationRecord>>;
  /** Runs QUEUED or STARTED now. */
  activeRuns(): Promise<readonly ActiveRun[]>;
  /** The current keys of a dynamic partitions set the definitions declare, in the order added. */
  dynamicPartitionKeys(name: string): Promise<readonly string[]>;
}

export interface SensorDefinition {
  readonly name: string;
  /** What the sensor's runs materialise unless a request names another selection. */
  readonly selection: string;
  readonly description: string | undefined;
  /** Minimum time between two evaluations. */
  readonly intervalMs: number;
  evaluate(ctx: SensorContext): Promise<SensorResult> | SensorResult;
}

export interface SensorOptions {
  name: string;
  selection: string;
  description?: string;
  intervalMs?: number;
  evaluate: (ctx: SensorContext) => Promise<SensorResult> | SensorResult;
}

/**
 * Declares a sensor: a function evaluated every `intervalMs` that looks at the outside world
 * (files, an API, the event log), keeps what it saw in a persisted cursor and asks for runs.
 * The cursor is saved in the same transaction as the runs it asked for.
 *
 * @example
 * const newFiles = defineSensor({
 *   name: "new_files",
 *   selection: "raw/events",
 *   async evaluate(ctx) {
 *     const seen = new Set<string>(JSON.parse(ctx.cursor ?? "[]"));
 *     const days = (await listDays()).filter((d) => !seen.has(d));
 *     return {
 *       runRequests: days.map((day) => ({ partition: day, runKey: day })),
 *       cursor: JSON.stringify([...seen, ...days]),
 *     };
 *   },
 * });
 */
export function defineSensor(options: SensorOptions): SensorDefinition {
  return {
    name: options.name,
    selection: options.selection,
    description: options.description,
    intervalMs: options.intervalMs ?? DEFAULT_SENSOR_INTERVAL_MS,
    evaluate: options.evaluate,
  };
}

/**
 * Does an active run materialise this partition of this asset? A run for what is stale (or with
 * an unreadable request) counts as covering every partition of its assets.
 *
 * @example
 * (await ctx.activeRuns()).some((run) => activeRunCovers(run, "raw/offres", "2024-08-01"))
 */
export function activeRunCovers(run: ActiveRun, assetKey: string, partitionKey: string): boolean {
  if (!run.assetKeys.includes(assetKey)) return false;
  const p = run.partitions;
  if (p === undefined) return true;
  switch (p.kind) {
    case "none":
      return true;
    case "stale":
      return p.from === undefined || (p.from <= partitionKey && partitionKey <= p.to!);
    case "single":
      return p.key === partitionKey;
    case "range":
      // Daily keys (YYYY-MM-DD) sort as text.
      return p.from <= partitionKey && partitionKey <= p.to;
  }
}
