import { Link } from "wouter";
import { usePartitionDetail } from "../api/queries";
import type { Materialization, PartitionDetail as Detail } from "../api/types";
import { Dialog } from "../components/Dialog";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { TableHead } from "../components/TableHead";
import { formatDuration, formatNumber, formatTime, shortId } from "../format";
import { CheckResultsTable } from "./CheckResultsTable";
import "./partition-detail.css";

/**
 * One partition of an asset, opened from the health bar or the materialisations table: its
 * status and why it is stale, its latest materialisation with the run that made it and its
 * metadata, its checks and its recent history. Escape, the Close button or a click outside
 * closes it.
 */
export function PartitionDetail({
  assetKey,
  partitionKey,
  onMaterialize,
  materializing,
  onClose,
}: {
  assetKey: string;
  partitionKey: string;
  /** Launches a run of this partition. */
  onMaterialize: () => void;
  materializing: boolean;
  onClose: () => void;
}) {
  const detail = usePartitionDetail(assetKey, partitionKey);
  return (
    <Dialog
      label={`Partition ${partitionKey} of ${assetKey}`}
      testId="partition-detail"
      className="partition-detail"
      onClose={onClose}
    >
      <div className="partition-detail-head">
        <h3>
          <span className="muted">{assetKey} · </span>
          <span data-testid="partition-detail-key">{partitionKey}</span>
        </h3>
        {detail.data && <StatusBadge status={detail.data.status} />}
        <span className="spacer" />
        <button
          type="button"
          className="link-button"
          onClick={onClose}
          data-testid="partition-detail-close"
        >
          Close
        </button>
      </div>
      {detail.error ? (
        <ErrorLine error={detail.error} />
      ) : !detail.data ? (
        <p className="loading">Loading {partitionKey}…</p>
      ) : (
        <PartitionBody detail={detail.data} />
      )}
      <div className="dialog-actions">
        <button
          type="button"
          data-testid="partition-materialize"
          disabled={materializing}
          onClick={onMaterialize}
        >
          Materialise {partitionKey}
        </button>
      </div>
    </Dialog>
  );
}

function PartitionBody({ detail }: { detail: Detail }) {
  const { latest, run } = detail;
  return (
    <div className="partition-detail-body" data-status={detail.status}>
      {detail.causes.length > 0 && (
        <ul className="causes" data-testid="partition-causes">
          {detail.causes.map((c) => (
            <li key={c.kind + c.description}>{c.description}</li>
          ))}
        </ul>
      )}

      <h4>Latest materialisation</h4>
      {!latest ? (
        <p className="muted" data-testid="partition-never">
          Never materialised.
        </p>
      ) : (
        <dl className="partition-facts" data-testid="partition-latest">
          <dt>When</dt>
          <dd>{formatTime(latest.createdAt)}</dd>
          <dt>Run</dt>
          <dd>
            <Link href={`/runs/${latest.runId}`} data-testid="partition-run-link">
              {shortId(latest.runId)}
            </Link>
            {run && (
              <>
                {" "}
                <StatusBadge status={run.status} />{" "}
                <span className="muted">
                  {formatDuration(run.durationMs)}
                  {Object.entries(run.tags)
                    .map(([k, v]) => ` · ${k}=${v}`)
                    .join("")}
                </span>
              </>
            )}
          </dd>
          {run && Object.hasOwn(run.config, detail.assetKey) && (
            <>
              <dt>Config</dt>
              <dd className="mono" data-testid="partition-config">
                {JSON.stringify(run.config[detail.assetKey])}
              </dd>
            </>
          )}
          <dt>Code version</dt>
          <dd className="mono">{latest.codeVersion.slice(0, 12)}</dd>
          <dt>Data version</dt>
          <dd className="mono" title={latest.dataVersion}>
            {latest.dataVersion.length > 24
              ? `${latest.dataVersion.slice(0, 24)}…`
              : latest.dataVersion}
          </dd>
        </dl>
      )}
      {latest && <Metadata materialization={latest} />}

      <h4>Checks</h4>
      {detail.checks.length === 0 ? (
        <p className="muted">No check results for this partition.</p>
      ) : (
        <CheckResultsTable checks={detail.checks} testId="partition-checks" />
      )}

      {detail.history.length > 1 && (
        <>
          <h4>Recent materialisations</h4>
          <table className="table" data-testid="partition-history">
            <TableHead columns={["When", "Run", "Code version", "Rows"]} />
            <tbody>
              {detail.history.map((m) => (
                <tr key={m.id}>
                  <td>{formatTime(m.createdAt)}</td>
                  <td>
                    <Link href={`/runs/${m.runId}`}>{shortId(m.runId)}</Link>
                  </td>
                  <td className="mono">{m.codeVersion.slice(0, 12)}</td>
                  <td>{rowsOf(m)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function Metadata({ materialization }: { materialization: Materialization }) {
  const entries = Object.entries(materialization.metadata);
  if (entries.length === 0) return null;
  return (
    <>
      <h4>Metadata</h4>
      <table className="table partition-metadata" data-testid="partition-metadata">
        <tbody>
          {entries.map(([k, v]) => (
            <tr key={k} data-key={k}>
              <th scope="row" className="mono">
                {k}
              </th>
              <td>{metadataText(v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function metadataText(v: unknown): string {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v) ?? "";
}

function rowsOf(m: Materialization): string {
  const rows = m.metadata.rows ?? m.metadata.rows_affected;
  return typeof rows === "number" ? formatNumber(rows) : "–";
}
