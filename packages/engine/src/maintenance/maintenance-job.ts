import type { MaintenanceConfig } from "../definitions/maintenance";
import { describeError } from "../errors";
import type { RunEvent } from "../storage/run-event";
import type { Storage } from "../storage/storage";
import { connectPool } from "../storage/transaction";
import { describeMaintenance, type MaintenanceReport } from "./maintenance-report";
import { runMaintenance } from "./run-maintenance";

export type MaintenanceOutcome = "SUCCESS" | "FAILURE" | "CANCELED";

export interface MaintenanceJobOptions {
  /** Where the run's events go (a worker passes its fenced storage). */
  readonly storage: Pick<Storage, "appendEvents">;
  readonly runId: string;
  readonly databaseUrl: string;
  readonly config: MaintenanceConfig;
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: RunEvent, runId: string) => void;
  /** Records the outcome (the run row). */
  readonly finish: (outcome: MaintenanceOutcome, error: string | undefined) => Promise<void>;
}

/**
 * Executes the maintenance job as the run `runId` (created STARTED, or claimed by a worker):
 * its steps are logged as the run's events, its report is stored in the run's last log event
 * (`data.maintenanceReport`, what the Operations page shows), and a failure ends the run
 * FAILURE with the reason, like any run.
 */
export async function executeMaintenanceJob(
  options: MaintenanceJobOptions,
): Promise<{ outcome: MaintenanceOutcome; report: MaintenanceReport | undefined }> {
  const { storage, runId } = options;
  const emit = async (
    type: RunEvent["type"],
    level: RunEvent["level"],
    message: string,
    data?: Record<string, unknown>,
  ): Promise<void> => {
    const event: RunEvent = {
      type,
      level,
      message,
      timestamp: new Date(),
      ...(data ? { data } : {}),
    };
    await storage.appendEvents(runId, [event]);
    options.onEvent?.(event, runId);
  };
  await emit("RUN_START", "info", "Run started: maintenance (prune, vacuum, compress raw files)", {
    steps: 0,
    assetKeys: [],
  });
  const pool = connectPool(options.databaseUrl, 2);
  let outcome: MaintenanceOutcome = "FAILURE";
  let error: string | undefined;
  let report: MaintenanceReport | undefined;
  // Each step is logged as it happens, in order (one write at a time).
  let logged: Promise<void> = Promise.resolve();
  const log = (line: string): void => {
    logged = logged.then(() => emit("LOG", "info", line)).catch(() => undefined);
  };
  try {
    report = await runMaintenance({
      pool,
      config: options.config,
      dryRun: false,
      ...(options.signal ? { signal: options.signal } : {}),
      log,
    });
    await logged;
    await emit("LOG", "info", describeMaintenance(report).join("\n"), {
      maintenanceReport: report,
    });
    outcome = "SUCCESS";
  } catch (e) {
    await logged;
    outcome = options.signal?.aborted ? "CANCELED" : "FAILURE";
    error = `maintenance failed: ${describeError(e)}`;
  } finally {
    await pool.end();
  }
  try {
    await emit(
      outcome === "SUCCESS"
        ? "RUN_SUCCESS"
        : outcome === "CANCELED"
          ? "RUN_CANCELED"
          : "RUN_FAILURE",
      outcome === "SUCCESS" ? "info" : outcome === "CANCELED" ? "warn" : "error",
      outcome === "SUCCESS"
        ? "Run succeeded"
        : outcome === "CANCELED"
          ? "Run cancelled"
          : `Run failed: ${error}`,
    );
  } finally {
    await options.finish(outcome, error);
  }
  return { outcome, report };
}
