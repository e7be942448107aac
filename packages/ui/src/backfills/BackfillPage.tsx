import { Link } from "wouter";
import { useBackfill, useCancelBackfill } from "../api/queries";
import type { Backfill, BackfillRun } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { TableHead } from "../components/TableHead";
import { TagList } from "../components/TagList";
import { formatDuration, formatNumber, formatTime, shortId } from "../format";
import { BackfillProgressBar, describeChunkSize } from "./BackfillProgressBar";

/** One backfill: status, live progress by partition, its chunk runs, cancel. */
export function BackfillPage({ backfillId }: { backfillId: string }) {
  const detail = useBackfill(backfillId);
  const cancel = useCancelBackfill();
  if (detail.error) return <ErrorLine error={detail.error} />;
  if (!detail.data) return <p className="loading">Loading backfill…</p>;
  const { backfill, runs } = detail.data;
  const active = backfill.status === "REQUESTED" || backfill.status === "RUNNING";

  return (
    <div className="backfill-page" data-testid="backfill-page" data-backfill-id={backfill.id}>
      <div className="page-head">
        <h1 className="mono">Backfill {shortId(backfill.id)}</h1>
        <span data-testid="backfill-status" data-status={backfill.status}>
          <StatusBadge status={backfill.status} />
        </span>
        <span className="spacer" />
        {active && (
          <button
            data-testid="cancel-backfill"
            className="danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(backfill.id)}
            title="Cancel the queued runs and ask the running ones to stop"
          >
            Cancel
          </button>
        )}
      </div>
      {cancel.error && <ErrorLine error={cancel.error} />}
      {backfill.error && <pre className="run-error">{backfill.error}</pre>}
      <section>
        <BackfillProgressBar progress={backfill.progress} />
      </section>
      <Facts backfill={backfill} />
      <h2>Runs</h2>
      {runs.length === 0 ? (
        <p className="muted">No runs yet.</p>
      ) : (
        <table className="table" data-testid="backfill-runs">
          <TableHead
            columns={[
              "Chunk",
              "Run",
              "Status",
              "Partitions",
              "Attempt",
              "Started",
              "Duration",
              "Error",
            ]}
          />
          <tbody>
            {runs.map((run) => (
              <tr
                key={run.id}
                data-testid="backfill-run"
                data-run-id={run.id}
                data-status={run.status}
              >
                <td>{run.chunk + 1}</td>
                <td className="mono">
                  <Link href={`/runs/${run.id}`}>{shortId(run.id)}</Link>
                </td>
                <td>
                  <StatusBadge status={run.status} />
                  {run.cancelRequested && run.status === "STARTED" && (
                    <span className="muted"> stopping</span>
                  )}
                </td>
                <td>
                  {run.from === run.to ? run.from : `${run.from} → ${run.to}`}{" "}
                  <span className="muted">({formatNumber(run.partitionCount)})</span>
                </td>
                <td>{run.attempt}</td>
                <td>{formatTime(run.startedAt)}</td>
                <td>{formatDuration(durationOf(run))}</td>
                <td className="tick-error">{run.error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function Facts({ backfill }: { backfill: Backfill }) {
  return (
    <dl className="run-facts">
      <dt>Selection</dt>
      <dd className="mono">{backfill.selection}</dd>
      <dt>Partitions</dt>
      <dd>{backfill.from === backfill.to ? backfill.from : `${backfill.from} → ${backfill.to}`}</dd>
      <dt>Runs</dt>
      <dd>
        {formatNumber(backfill.totalChunks)}, {describeChunkSize(backfill.chunkSize)}
      </dd>
      <dt>Created</dt>
      <dd>{formatTime(backfill.createdAt)}</dd>
      <dt>Updated</dt>
      <dd>{formatTime(backfill.updatedAt)}</dd>
      <TagList tags={backfill.tags} />
    </dl>
  );
}

function durationOf(run: BackfillRun): number | null {
  if (!run.startedAt) return null;
  const end = run.endedAt ? new Date(run.endedAt).getTime() : Date.now();
  return end - new Date(run.startedAt).getTime();
}
