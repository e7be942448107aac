import {
  computeStatus,
  executeRun,
  partitionKeys,
  prepareRun,
  statusesFor,
  type Definitions,
  type MaterializeRequest,
  type PartitionRequest,
  type PostgresStorage,
} from "@lignee/engine";
import { expect } from "vitest";

/**
 * Runs and statuses of `definitions` in the test's process, over the storage `storage()` gives
 * (opened in the test's `beforeAll`): what a worker would plan and execute, without a queue.
 */
export function inProcess(definitions: Definitions<unknown>, storage: () => PostgresStorage) {
  return {
    /** Plans `selection` × `partitions` against the statuses now, executes it, expects SUCCESS. */
    async materialize(selection: string, partitions: PartitionRequest): Promise<void> {
      const request: MaterializeRequest = { selection, partitions };
      const now = new Date();
      const prepared = prepareRun(
        definitions,
        request,
        now,
        await statusesFor(definitions, storage(), request, now),
      );
      const result = await executeRun({ definitions, storage: storage(), prepared });
      expect(result.outcome).toBe("SUCCESS");
    },
    /** Each asset's STALE partition keys (`[""]` for a stale unpartitioned asset). */
    async staleKeys(): Promise<Record<string, string[]>> {
      const status = computeStatus(definitions, await storage().getAssetSummaries(), new Date());
      const out: Record<string, string[]> = {};
      for (const [key, s] of status) {
        const def = definitions.get(key).partitions;
        out[key] = def ? partitionKeys(def, s.subsets.STALE) : s.status === "STALE" ? [""] : [];
      }
      return out;
    },
  };
}
