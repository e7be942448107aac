import type { Definitions } from "../definitions/definitions";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { InvalidPartitionError, quote, UnknownAssetError } from "../errors";
import {
  parsePartitionKey,
  partitionIndex,
  type PartitionsDefinition,
} from "../partitions/definition";
import { computeStatus, describeCause, PARTITION_STATUSES } from "../status/asset-status";
import type { Storage } from "../storage/storage";
import { HttpError } from "./http-error";
import { PARTITION_HISTORY_LIMIT } from "./schemas";
import { checkResultView, materializationView, runView } from "./views";

/**
 * One partition of an asset: its status and, when stale, why; its latest materialisation, the
 * run that made it and its recent history; the latest result of each check on it.
 */
export async function partitionDetailView(
  definitions: Definitions<unknown>,
  storage: Storage,
  assetKey: string,
  partitionKey: string,
  now: Date,
) {
  if (!definitions.has(assetKey)) throw new UnknownAssetError(assetKey);
  definitions = await loadDynamicPartitions(definitions, storage);
  const def = definitions.get(assetKey).partitions;
  if (!def) {
    throw new HttpError(
      404,
      `asset ${assetKey} is not partitioned: it has no partition ${quote(partitionKey)}`,
    );
  }
  const index = resolvePartition(assetKey, def, partitionKey, now);
  const [summaries, history, checks] = await Promise.all([
    storage.getAssetSummaries(),
    storage.listMaterializations(assetKey, {
      partitionIndex: index,
      limit: PARTITION_HISTORY_LIMIT,
    }),
    storage.latestCheckResults(assetKey, partitionKey),
  ]);
  const status = computeStatus(definitions, summaries, now).get(assetKey)!;
  const latest = history[0];
  const run = latest ? await storage.getRun(latest.runId) : undefined;
  return {
    assetKey,
    partitionKey,
    status: PARTITION_STATUSES.find((s) => status.subsets[s].has(index)) ?? "MISSING",
    causes: status.causes
      .filter((c) => c.partitions.has(index))
      .map((c) => ({ kind: c.kind, description: describeCause(c) })),
    latest: latest ? materializationView(latest) : null,
    run: run ? runView(run) : null,
    history: history.map(materializationView),
    checks: checks.map(checkResultView),
  };
}

/**
 * A malformed key is a bad request (400); a well-formed key the asset does not have (a day
 * before its start or not yet begun, a static key it does not list) is not found (404).
 */
function resolvePartition(
  assetKey: string,
  def: PartitionsDefinition,
  key: string,
  now: Date,
): number {
  try {
    return partitionIndex(def, key, now);
  } catch (error) {
    // Any text may be a static or dynamic key: one the asset does not have is not found.
    const wellFormed =
      def.kind === "static" ||
      def.kind === "dynamic" ||
      typeof parsePartitionKey(def, key) === "number";
    if (error instanceof InvalidPartitionError && wellFormed) {
      throw new HttpError(
        404,
        `asset ${assetKey} has no partition ${quote(key)}: ${error.message}`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}
