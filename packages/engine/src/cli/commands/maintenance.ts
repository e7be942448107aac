import type { Definitions } from "../../definitions/definitions";
import { runMaintenanceHere } from "../../maintenance/launch-maintenance";
import { describeMaintenance, type MaintenanceReport } from "../../maintenance/maintenance-report";
import { runMaintenance } from "../../maintenance/run-maintenance";
import type { Runtime } from "../../runtime/runtime";
import { connectPool } from "../../storage/transaction";
import type { CliIo } from "../context";
import { osUser } from "../os-user";
import { handOverSignals } from "../signal-handover";

export interface MaintenanceCommandOptions {
  readonly dryRun?: boolean;
  readonly json?: boolean;
}

/**
 * `lignee maintenance [--dry-run] [--json]`: runs the maintenance job now, in this process, as a
 * run (listed by `lignee runs`), and prints what each part did; `--dry-run` prints what it
 * would do and changes nothing (no run either). Exit 1 when the run fails.
 */
export async function maintenanceCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: MaintenanceCommandOptions,
  io: CliIo,
): Promise<number> {
  if (options.dryRun) {
    const pool = connectPool(runtime.databaseUrl, 2);
    try {
      const report = await runMaintenance({
        pool,
        config: definitions.maintenance,
        dryRun: true,
      });
      print(io, report, undefined, options);
      return 0;
    } finally {
      await pool.end();
    }
  }
  const controller = new AbortController();
  // Ctrl-C ends the run CANCELED (between batches and files), not embedded PostgreSQL.
  const handover = handOverSignals(["SIGINT"], () => {
    io.err("\ncancelling the maintenance run (Ctrl-C again to force)…");
    handover.stopListening();
    controller.abort(new Error("cancelled by the user"));
  });
  let result;
  try {
    result = await runMaintenanceHere({
      definitions,
      storage: runtime.storage,
      databaseUrl: runtime.databaseUrl,
      launchedBy: { kind: "cli", detail: osUser() },
      signal: controller.signal,
    });
  } finally {
    handover.restore();
  }
  if (result.outcome !== "SUCCESS" || !result.report) {
    const run = await runtime.storage.getRun(result.runId);
    if (options.json)
      io.out(JSON.stringify({ runId: result.runId, status: result.outcome, error: run?.error }));
    else io.err(`maintenance run ${result.runId} ${result.outcome}: ${run?.error ?? ""}`);
    return 1;
  }
  print(io, result.report, result.runId, options);
  return 0;
}

function print(
  io: CliIo,
  report: MaintenanceReport,
  runId: string | undefined,
  options: MaintenanceCommandOptions,
): void {
  if (options.json) {
    io.out(JSON.stringify({ ...(runId ? { runId } : {}), report }, null, 2));
    return;
  }
  const head = runId ? `Maintenance run ${runId}: SUCCESS` : "Maintenance dry run: nothing changed";
  io.out([head, ...describeMaintenance(report).map((l) => `  ${l}`)].join("\n"));
}
