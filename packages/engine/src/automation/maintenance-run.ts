import { MAINTENANCE_JOB_TAG, MAINTENANCE_SELECTION } from "../definitions/maintenance";
import type { LaunchedBy } from "../storage/launched-by";
import type { QueuedRun } from "./automation-store";

/**
 * The queued run of the maintenance job: no asset, no partition, the `lignee/job=maintenance` tag that
 * makes a worker execute the maintenance job instead of planning a selection.
 */
export function maintenanceQueuedRun(options: {
  readonly id: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly launchedBy: LaunchedBy;
  readonly maxAttempts?: number;
}): QueuedRun {
  return {
    id: options.id,
    selection: MAINTENANCE_SELECTION,
    assetKeys: [],
    partitions: { kind: "none" },
    tags: { ...options.tags, ...MAINTENANCE_JOB_TAG },
    pools: [],
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    launchedBy: options.launchedBy,
  };
}
