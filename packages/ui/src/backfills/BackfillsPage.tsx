import { Link, useLocation, useSearch } from "wouter";
import { useBackfills } from "../api/queries";
import { BACKFILL_STATUSES, type BackfillStatus } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { formatNumber, formatTime, shortId } from "../format";
import { BackfillProgressBar, describeChunkSize } from "./BackfillProgressBar";

/** Recent backfills with their progress, filtered by status (`?status=` in the URL). */
export function BackfillsPage() {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const status = (BACKFILL_STATUSES as readonly string[]).includes(search.get("status") ?? "")
    ? (search.get("status") as BackfillStatus)
    : undefined;
  const backfills = useBackfills({ status, limit: 200 });

  return (
    <div className="backfills-page">
      <div className="page-head">
        <h1>Backfills</h1>
        <span className="muted">
          Launched from an asset&apos;s partition health bar, or with{" "}
          <span className="mono">lignee backfill</span>.
        </span>
        <span className="spacer" />
        <label>
          Status{" "}
          <select
            value={status ?? ""}
            onChange={(e) =>
              navigate(e.target.value ? `/backfills?status=${e.target.value}` : "/backfills")
            }
            data-testid="backfills-status-filter"
          >
            <option value="">all</option>
            {BACKFILL_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
      </div>
      {backfills.error && <ErrorLine error={backfills.error} />}
      {backfills.data && backfills.data.backfills.length === 0 && (
        <p className="empty">No backfills.</p>
      )}
      {backfills.data && backfills.data.backfills.length > 0 && (
        <table className="table" data-testid="backfills-table">
          <thead>
            <tr>
              <th>Backfill</th>
              <th>Status</th>
              <th>Selection</th>
              <th>Partitions</th>
              <th>Progress</th>
              <th>Runs</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {backfills.data.backfills.map((b) => (
              <tr
                key={b.id}
                data-testid="backfill-row"
                data-backfill-id={b.id}
                data-status={b.status}
              >
                <td className="mono">
                  <Link href={`/backfills/${b.id}`}>{shortId(b.id)}</Link>
                </td>
                <td>
                  <StatusBadge status={b.status} />
                </td>
                <td className="mono selection" title={b.selection}>
                  {b.selection}
                </td>
                <td>{b.from === b.to ? b.from : `${b.from} → ${b.to}`}</td>
                <td>
                  <BackfillProgressBar progress={b.progress} compact />
                </td>
                <td>
                  {formatNumber(b.totalChunks)}{" "}
                  <span className="muted">({describeChunkSize(b.chunkSize)})</span>
                </td>
                <td>{formatTime(b.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
