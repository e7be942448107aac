import type { Definitions } from "../../definitions/definitions";
import type { Storage } from "../storage";

/**
 * The definitions with the current keys of their dynamic partitions, read once: what every
 * evaluation (status, planning, a run, a tick) works on. Definitions without dynamic partitions
 * are returned as they are, without reading anything.
 *
 * @example
 * const loaded = await loadDynamicPartitions(definitions, storage);
 * computeStatus(loaded, await storage.getAssetSummaries(), now);
 */
export async function loadDynamicPartitions<R>(
  definitions: Definitions<R>,
  storage: Pick<Storage, "readDynamicPartitions">,
): Promise<Definitions<R>> {
  const names = definitions.dynamicPartitionsNames;
  if (names.length === 0) return definitions;
  return definitions.withDynamicPartitions(await storage.readDynamicPartitions(names));
}
