import { Link, useLocation, useSearch } from "wouter";
import { useRuns } from "../api/queries";
import { RUN_STATUSES, type Run } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { LaunchedBy } from "../components/LaunchedBy";
import { StatusBadge } from "../components/StatusBadge";
import { StatusFilter, statusParam } from "../components/StatusFilter";
import { TableHead } from "../components/TableHead";
import { formatDuration, formatTime, shortId } from "../format";

/** Recent runs with their status and duration, filtered by status and asset (in the URL). */
export function RunsPage() {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const status = statusParam(RUN_STATUSES, search.get("status"));
  const asset = search.get("asset") ?? undefined;
  const runs = useRuns({ status, asset, limit: 200 });

  const setFilter = (name: string, value: string | undefined) => {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    const query = next.toString();
    navigate(query ? `/runs?${query}` : "/runs");
  };

  return (
    <div className="runs-page" data-testid="runs-page">
      <div className="page-head">
        <h1>Runs</h1>
        <span className="spacer" />
        <StatusFilter
          statuses={RUN_STATUSES}
          value={status}
          onChange={(value) => setFilter("status", value)}
          testId="runs-status-filter"
        />
        <label>
          Asset{" "}
          <input
            defaultValue={asset ?? ""}
            placeholder="e.g. raw/offres"
            onKeyDown={(e) => {
              if (e.key === "Enter") setFilter("asset", e.currentTarget.value.trim() || undefined);
            }}
            data-testid="runs-asset-filter"
          />
        </label>
      </div>
      {runs.error && <ErrorLine error={runs.error} />}
      {runs.data && runs.data.runs.length === 0 && <p className="empty">No runs.</p>}
      {runs.data && runs.data.runs.length > 0 && (
        <table className="table runs" data-testid="runs-table">
          <TableHead
            columns={[
              "Run",
              "Status",
              "Assets",
              "Partitions",
              "Launched by",
              "Started",
              "Duration",
            ]}
          />
          <tbody>
            {runs.data.runs.map((run) => (
              <tr key={run.id} data-testid="run-row" data-run-id={run.id}>
                <td className="mono">
                  <Link href={`/runs/${run.id}`}>{shortId(run.id)}</Link>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="selection" title={run.assetKeys.join(", ")}>
                  {run.selection}{" "}
                  <span className="muted">
                    ({run.assetKeys.length} asset{run.assetKeys.length > 1 ? "s" : ""})
                  </span>
                </td>
                <td>{describePartitions(run)}</td>
                <td>
                  <LaunchedBy launchedBy={run.launchedBy} />
                </td>
                <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
                <td>{formatDuration(run.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export function describePartitions(run: Run): string {
  const spec = run.partitionSpec;
  if (!spec) return "–";
  switch (spec.kind) {
    case "single":
      return String(spec.key);
    case "range":
      return `${String(spec.from)} → ${String(spec.to)}`;
    case "stale":
      return spec.from !== undefined
        ? `stale ones in ${String(spec.from)} → ${String(spec.to)}`
        : "stale ones";
    default:
      return "–";
  }
}
