import type { Definitions } from "../definitions/definitions";
import { PartitionsChangedError } from "../errors";
import { partitionsLayout, partitionsLayoutKeeps } from "../partitions/layout";
import type { Storage } from "../storage/storage";

/**
 * Before a run executes anything: throws PartitionsChangedError for the first of its assets
 * whose recorded layout its definitions would not keep, so that the run fails before any user
 * code runs rather than after (the write of each materialisation checks again).
 */
export async function checkPartitionsLayouts(
  definitions: Definitions<unknown>,
  storage: Storage,
  assetKeys: readonly string[],
): Promise<void> {
  const known = assetKeys.filter((k) => definitions.has(k));
  const recorded = await storage.getPartitionsLayouts(known);
  for (const key of known) {
    const stored = recorded.get(key);
    if (stored === undefined) continue;
    if (!partitionsLayoutKeeps(stored, partitionsLayout(definitions.get(key).partitions))) {
      throw new PartitionsChangedError(key);
    }
  }
}
