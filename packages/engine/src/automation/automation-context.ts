import type { Definitions } from "../definitions/definitions";
import type { RunConfig } from "../definitions/run-config";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { isBadInput, type LigneeErrorCode } from "../errors";
import { prepareRun, statusesFor, type PreparedRun } from "../execution/launch";
import type { PartitionRequest } from "../planning/partition-request";
import { poolsOf } from "../queue/pools";
import type { LaunchedBy } from "../storage/launched-by";
import type { Storage } from "../storage/storage";
import type { AutomationStore, QueuedRun } from "./automation-store";

/** What the evaluators of schedules, sensors and eager automation share. */
export interface AutomationContext {
  readonly definitions: Definitions<unknown>;
  readonly storage: Pick<
    Storage,
    | "getAssetSummaries"
    | "listMaterializations"
    | "readDynamicPartitions"
    | "addDynamicPartitions"
    | "removeDynamicPartitions"
    | "applyDynamicPartitionsChanges"
  >;
  readonly store: AutomationStore;
  /** Tries of each queued run when its worker dies, the first included. */
  readonly maxAttempts: number;
  readonly log: (message: string) => void;
}

/**
 * Validates and plans a request as `POST /api/runs` does, and returns the run to queue — or
 * the reason it cannot be, when the request is bad input (an unknown asset, an invalid
 * partition, nothing stale). Other errors (storage) are thrown.
 */
export async function queuedRunFor(
  ctx: AutomationContext,
  request: {
    readonly id: string;
    readonly selection: string;
    readonly partitions: PartitionRequest;
    readonly tags: Readonly<Record<string, string>>;
    readonly launchedBy: LaunchedBy;
    /** Per asset key (see `RunConfig`); default `{}`. */
    readonly config?: RunConfig;
  },
  now: Date,
): Promise<{ run: QueuedRun } | { problem: string; code: LigneeErrorCode }> {
  let prepared: PreparedRun;
  try {
    const definitions = await loadDynamicPartitions(ctx.definitions, ctx.storage);
    const statuses = await statusesFor(definitions, ctx.storage, request, now);
    prepared = prepareRun(definitions, request, now, statuses);
  } catch (error) {
    if (isBadInput(error)) return { problem: error.message, code: error.code };
    throw error;
  }
  return {
    run: {
      id: request.id,
      selection: prepared.selection,
      assetKeys: prepared.assetKeys,
      partitions: prepared.partitions,
      tags: request.tags,
      config: prepared.config,
      pools: poolsOf(ctx.definitions, prepared.assetKeys),
      maxAttempts: ctx.maxAttempts,
      launchedBy: request.launchedBy,
    },
  };
}
