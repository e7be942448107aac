import { randomUUID } from "node:crypto";
import { maintenanceQueuedRun } from "../automation/maintenance-run";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import { runMaintenanceHere } from "../maintenance/launch-maintenance";
import type { RunQueue } from "../queue/run-queue";
import type { LaunchedBy } from "../storage/launched-by";
import type { Storage } from "../storage/storage";

/** Starts the maintenance job; resolves to its run's id once the run exists. */
export type StartMaintenance = (launchedBy: LaunchedBy) => Promise<string>;

/**
 * How the server starts the maintenance job: a run queued for the workers when it has a queue,
 * else executed in this process in the background (as runs are on a server without workers).
 */
export function maintenanceStarter(options: {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  readonly environment: ResourceEnvironment;
  readonly queue: { readonly queue: RunQueue; readonly maxAttempts: number } | undefined;
  readonly log: (message: string) => void;
}): StartMaintenance {
  return async (launchedBy) => {
    const { queue } = options;
    if (queue) {
      const run = maintenanceQueuedRun({
        id: randomUUID(),
        launchedBy,
        maxAttempts: queue.maxAttempts,
      });
      await queue.queue.enqueue(
        { selection: run.selection, assetKeys: run.assetKeys, partitions: run.partitions },
        { id: run.id, tags: { ...run.tags }, launchedBy, maxAttempts: queue.maxAttempts },
      );
      return run.id;
    }
    const runId = randomUUID();
    let created!: () => void;
    const ready = new Promise<void>((resolve) => (created = resolve));
    const done = runMaintenanceHere({
      definitions: options.definitions,
      storage: options.storage,
      databaseUrl: options.environment.databaseUrl,
      launchedBy,
      runId,
      onRunCreated: () => created(),
    });
    // The answer waits for the run's row (so that it can be fetched at once), not its end.
    await Promise.race([ready, done]);
    done.catch((error: unknown) => options.log(`maintenance run ${runId}: ${String(error)}`));
    return runId;
  };
}
