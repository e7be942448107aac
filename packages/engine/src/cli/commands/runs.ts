import { describePartitionRequest, storedPartitionRequest } from "../../planning/partition-request";
import type { Runtime } from "../../runtime/runtime";
import { describeLaunchedBy } from "../../storage/launched-by";
import { resolveRunId } from "../../storage/resolve-run-id";
import type { RunRecord } from "../../storage/storage";
import type { CliIo } from "../context";
import { formatDuration, table } from "../format";

/** `lignee runs`: recent runs, newest first. */
export async function runsCommand(
  runtime: Runtime,
  options: { json?: boolean; limit?: number },
  io: CliIo,
): Promise<number> {
  const runs = await runtime.storage.listRuns({ limit: options.limit ?? 50 });
  if (options.json) {
    io.out(JSON.stringify({ runs: runs.map(runJson) }, null, 2));
    return 0;
  }
  const rows = [["RUN", "STATUS", "LAUNCHED BY", "CREATED", "DURATION", "SELECTION", "PARTITIONS"]];
  for (const r of runs) {
    rows.push([
      r.id,
      r.status,
      describeLaunchedBy(r.launchedBy),
      r.createdAt.toISOString(),
      formatDuration(duration(r)),
      r.selection,
      partitionText(r),
    ]);
  }
  io.out(runs.length === 0 ? "No runs yet." : table(rows));
  return 0;
}

/** `lignee runs show RUN_ID`: the run and its events; the id may be shortened to a prefix. */
export async function runShowCommand(
  runtime: Runtime,
  runId: string,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  const run = await resolveRunId(runtime.storage, runId);
  const events = await runtime.storage.listEvents(run.id);
  if (options.json) {
    io.out(JSON.stringify({ run: runJson(run), events }, null, 2));
    return 0;
  }
  const lines = [
    `Run ${run.id}  ${run.status}`,
    `  selection:  ${run.selection}${partitionText(run) ? `  partitions: ${partitionText(run)}` : ""}`,
    `  launched by: ${describeLaunchedBy(run.launchedBy)}`,
    `  created:    ${run.createdAt.toISOString()}   duration: ${formatDuration(duration(run))}`,
    ...(run.error ? [`  error:      ${run.error}`] : []),
    ...Object.entries(run.config).map(
      ([assetKey, config]) => `  config:     ${assetKey} ${JSON.stringify(config)}`,
    ),
    "",
    table(
      events.map((e) => [
        e.timestamp.toISOString().slice(11, 23),
        e.level.toUpperCase(),
        e.type,
        e.stepKey ?? "",
        e.message,
      ]),
    ),
  ];
  io.out(lines.join("\n"));
  return 0;
}

function duration(r: RunRecord): number | null {
  if (!r.startedAt) return null;
  return (r.endedAt ?? new Date()).getTime() - r.startedAt.getTime();
}

/** The run's partition request in words; a malformed stored request is shown as such. */
function partitionText(r: RunRecord): string {
  try {
    return describePartitionRequest(storedPartitionRequest(r.partitionSpec)) ?? "";
  } catch {
    return "?";
  }
}

function runJson(r: RunRecord): Record<string, unknown> {
  return { ...r, durationMs: duration(r) };
}
