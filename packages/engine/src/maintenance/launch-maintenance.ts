import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { MAINTENANCE_JOB_TAG, MAINTENANCE_SELECTION } from "../definitions/maintenance";
import type { Definitions } from "../definitions/definitions";
import { runsStartedHere } from "../execution/launch";
import { keepLocalLease } from "../execution/local-lease";
import type { LaunchedBy } from "../storage/launched-by";
import type { RunEvent } from "../storage/run-event";
import { DEFAULT_LOCAL_LEASE_MS, type Storage } from "../storage/storage";
import { executeMaintenanceJob, type MaintenanceOutcome } from "./maintenance-job";
import type { MaintenanceReport } from "./maintenance-report";

/**
 * Runs the maintenance job in this process as a run of its own (`lignee maintenance`): recorded
 * STARTED with a lease, like a local `materialize`, so that it is listed with the other runs,
 * can be cancelled, and ends FAILURE with the reason when something goes wrong.
 */
export async function runMaintenanceHere(options: {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  readonly databaseUrl: string;
  readonly launchedBy: LaunchedBy;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent, runId: string) => void;
  readonly leaseMs?: number;
  /** The run's id (default a new UUID). */
  readonly runId?: string;
  /** Called once the run's row exists, before the work starts. */
  readonly onRunCreated?: (runId: string) => void;
}): Promise<{ runId: string; outcome: MaintenanceOutcome; report: MaintenanceReport | undefined }> {
  const { storage } = options;
  const runId = options.runId ?? randomUUID();
  const leaseMs = options.leaseMs ?? DEFAULT_LOCAL_LEASE_MS;
  runsStartedHere.add(runId);
  await storage.createRun({
    id: runId,
    status: "STARTED",
    selection: MAINTENANCE_SELECTION,
    assetKeys: [],
    partitionSpec: { kind: "none" },
    tags: { ...MAINTENANCE_JOB_TAG },
    hostname: hostname(),
    pid: process.pid,
    leaseMs,
    launchedBy: options.launchedBy,
  });
  options.onRunCreated?.(runId);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const stopLease = keepLocalLease(storage, runId, leaseMs, (reason) => controller.abort(reason));
  try {
    const result = await executeMaintenanceJob({
      storage,
      runId,
      databaseUrl: options.databaseUrl,
      config: options.definitions.maintenance,
      signal: controller.signal,
      ...(options.onEvent ? { onEvent: options.onEvent } : {}),
      finish: (outcome, error) => storage.setRunStatus(runId, outcome, error),
    });
    return { runId, ...result };
  } finally {
    stopLease();
    options.signal?.removeEventListener("abort", onAbort);
  }
}
