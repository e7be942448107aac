import { Link, useLocation, useSearch } from "wouter";
import { useBackfills } from "../api/queries";
import { BACKFILL_STATUSES } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { StatusFilter, statusParam } from "../components/StatusFilter";
import { TableHead } from "../components/TableHead";
import { formatNumber, formatTime, shortId } from "../format";
import { BackfillProgressBar, describeChunkSize } from "./BackfillProgressBar";

/** Recent backfills with their progress, filtered by status (`?status=` in the URL). */
export function BackfillsPage() {
  const search = new URLSearchParams(useSearch());
  const [, navigate] = useLocation();
  const status = statusParam(BACKFILL_STATUSES, search.get("status"));
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
        <StatusFilter
          statuses={BACKFILL_STATUSES}
          value={status}
          onChange={(value) => navigate(value ? `/backfills?status=${value}` : "/backfills")}
          testId="backfills-status-filter"
        />
      </div>
      {backfills.error && <ErrorLine error={backfills.error} />}
      {backfills.data && backfills.data.backfills.length === 0 && (
        <p className="empty">No backfills.</p>
      )}
      {backfills.data && backfills.data.backfills.length > 0 && (
        <table className="table" data-testid="backfills-table">
          <TableHead
            columns={[
              "Backfill",
              "Status",
              "Selection",
              "Partitions",
              "Progress",
              "Runs",
              "Created",
            ]}
          />
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
