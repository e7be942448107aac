import { Link } from "wouter";
import { assetPath } from "../api/client";
import type { MaintenanceReportResponse, OperationsResponse } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { formatDuration, formatNumber, formatRelative, formatTimeIn, shortId } from "../format";
import { formatBytes } from "./bytes";
import { useOperations, usePreviewMaintenance, useStartMaintenance } from "./useOperations";
import "./operations.css";

/** Tables shown in "Largest tables" (the rest are summed up in the database's size). */
const LARGEST_TABLES = 12;

/**
 * Disk use and the maintenance job: the last maintenance (when, status, what it freed, its
 * run), its schedule, a dry-run preview and a button that runs it; the database's size per
 * asset and per table; the raw folders, plain and compressed.
 */
export function OperationsPage() {
  const operations = useOperations();
  return (
    <div className="operations-page" data-testid="operations-page">
      <div className="page-head">
        <h1>Operations</h1>
        <span className="muted">Disk use, and the maintenance job that keeps it in check.</span>
      </div>
      {operations.error && <ErrorLine error={operations.error} />}
      {!operations.data && !operations.error && <p className="loading">Loading operations…</p>}
      {operations.data && (
        <>
          <MaintenancePanel operations={operations.data} />
          <div className="operations-grid">
            <AssetsTable operations={operations.data} />
            <div>
              <RawFoldersTable operations={operations.data} />
              <TablesTable operations={operations.data} />
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function MaintenancePanel({ operations }: { operations: OperationsResponse }) {
  const { maintenance } = operations;
  const last = maintenance.lastRun;
  const preview = usePreviewMaintenance();
  const start = useStartMaintenance();
  const schedule = maintenance.schedule;
  return (
    <section className="maintenance-panel" data-testid="maintenance-panel">
      <div className="maintenance-head">
        <h2>Maintenance</h2>
        <span className="spacer" />
        <button
          type="button"
          className="chip"
          onClick={() => preview.mutate()}
          disabled={preview.isPending}
          data-testid="maintenance-preview"
        >
          {preview.isPending ? "Previewing…" : "Preview (dry run)"}
        </button>
        <button
          type="button"
          onClick={() => start.mutate()}
          disabled={start.isPending}
          data-testid="maintenance-run"
        >
          Run maintenance
        </button>
      </div>
      <p className="maintenance-schedule" data-testid="maintenance-schedule">
        {schedule ? (
          <>
            Scheduled <span className="mono">{schedule.cron}</span> ({schedule.timezone})
            {schedule.enabled === false ? (
              <> — switched off</>
            ) : schedule.nextTickAt ? (
              <>
                , next {formatTimeIn(schedule.nextTickAt, schedule.timezone)} (
                {formatRelative(schedule.nextTickAt)})
              </>
            ) : null}{" "}
            ·{" "}
            <Link
              href={`/automation?schedule=${encodeURIComponent(schedule.name)}`}
              data-testid="maintenance-schedule-link"
            >
              switch and ticks
            </Link>
          </>
        ) : (
          <>No schedule: run it from here or with lignee maintenance.</>
        )}
        <br />
        <span className="muted">
          Prunes run logs {maintenance.eventsRetentionDays} d after their run ended, sensor
          evaluations after {maintenance.sensorTicksRetentionDays} d and audit lines after{" "}
          {maintenance.auditRetentionDays} d; materialisations, statuses, check results and runs
          stay.
        </span>
      </p>
      {start.data && (
        <p className="maintenance-started" data-testid="maintenance-started">
          Maintenance run{" "}
          <Link href={`/runs/${start.data.runId}`}>{shortId(start.data.runId)}</Link> started.
        </p>
      )}
      {start.error && <ErrorLine error={start.error} />}
      {preview.error && <ErrorLine error={preview.error} />}
      <div className="maintenance-cards">
        <div className="maintenance-card" data-testid="maintenance-last">
          <h3>Last maintenance</h3>
          {last ? (
            <>
              <p>
                <StatusBadge status={last.status} />{" "}
                <Link href={`/runs/${last.runId}`} className="mono">
                  {shortId(last.runId)}
                </Link>{" "}
                <span className="muted">
                  {formatRelative(last.endedAt ?? last.startedAt ?? last.createdAt)}
                  {last.startedAt && last.endedAt
                    ? ` · ${formatDuration(Date.parse(last.endedAt) - Date.parse(last.startedAt))}`
                    : ""}
                </span>
              </p>
              {last.error && <p className="error-text">{last.error}</p>}
              {last.report ? (
                <ReportLines report={last.report} />
              ) : (
                <p className="muted">No report (the run did not finish its work).</p>
              )}
            </>
          ) : (
            <p className="muted">Maintenance has never run.</p>
          )}
        </div>
        {preview.data && (
          <div className="maintenance-card preview" data-testid="maintenance-preview-report">
            <h3>Dry run now</h3>
            <ReportLines report={preview.data} />
          </div>
        )}
      </div>
    </section>
  );
}

/** What a maintenance pruned and compressed (or would), part by part. */
function ReportLines({ report }: { report: MaintenanceReportResponse }) {
  const would = report.dryRun ? "would prune" : "pruned";
  const freed = report.bytesFreed;
  return (
    <ul className="report-lines">
      <li>
        Run logs: {would} {count(report.events.rows, "event")} of {count(report.events.runs, "run")}{" "}
        ({formatBytes(report.events.bytes)})
      </li>
      <li>
        Sensor evaluations: {would} {formatNumber(report.sensorTicks.rows)} (
        {formatBytes(report.sensorTicks.bytes)})
      </li>
      {report.audit && (
        <li>
          Audit trail: {would} {count(report.audit.rows, "line")} ({formatBytes(report.audit.bytes)}
          )
        </li>
      )}
      {report.rawFiles.map((f) => (
        <li key={f.label}>
          <span className="mono">{f.label}</span>: {report.dryRun ? "would compress" : "compressed"}{" "}
          {count(f.files, "file")} older than {f.compressAfterDays} d (
          {report.dryRun
            ? formatBytes(f.bytesBefore)
            : `${formatBytes(f.bytesBefore)} → ${formatBytes(f.bytesAfter)}`}
          ){f.skipped.length > 0 ? `, ${f.skipped.length} left alone` : ""}
        </li>
      ))}
      {!report.dryRun &&
        report.vacuum.map((v) => (
          <li key={v.table} className="muted">
            VACUUM (ANALYZE) <span className="mono">{v.table}</span>: {formatBytes(v.bytesBefore)} →{" "}
            {formatBytes(v.bytesAfter)} on disk
          </li>
        ))}
      <li className="report-total" data-testid="maintenance-freed">
        {report.dryRun ? "Would free" : "Freed"} {formatBytes(freed.databaseRows)} of database rows
        {report.dryRun ? "" : ` (${formatBytes(freed.databaseDisk)} of disk)`} and{" "}
        {report.dryRun ? "up to " : ""}
        {formatBytes(freed.files)} of raw files
      </li>
    </ul>
  );
}

/** `1 file`, `3 files`. */
function count(n: number, noun: string): string {
  return `${formatNumber(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** A header row whose numeric columns are right-aligned like their cells. */
function Head({ columns }: { columns: readonly (readonly [string, "number"?])[] }) {
  return (
    <thead>
      <tr>
        {columns.map(([label, kind]) => (
          <th key={label} className={kind}>
            {label}
          </th>
        ))}
      </tr>
    </thead>
  );
}

function AssetsTable({ operations }: { operations: OperationsResponse }) {
  const assets = [...operations.assets].sort(
    (a, b) => (b.bytes ?? -1) - (a.bytes ?? -1) || a.assetKey.localeCompare(b.assetKey),
  );
  const unknown = assets.filter((a) => a.table === null).length;
  return (
    <section>
      <h2>
        Database: {formatBytes(operations.database.bytes)} <span className="muted">per asset</span>
      </h2>
      <table className="table operations" data-testid="operations-assets">
        <Head columns={[["Asset"], ["Table"], ["Size", "number"]]} />
        <tbody>
          {assets.map((a) => (
            <tr key={a.assetKey} data-testid="operations-asset" data-asset={a.assetKey}>
              <td>
                <Link href={`/assets/${assetPath(a.assetKey)}`} className="mono">
                  {a.assetKey}
                </Link>
              </td>
              <td
                className="mono"
                title={
                  a.source === "metadata"
                    ? "named by its latest materialisation's metadata"
                    : a.source === "name"
                      ? "the table named like the asset"
                      : "no table known for this asset"
                }
              >
                {a.table ?? <span className="muted">unknown</span>}
              </td>
              <td className="number">{formatBytes(a.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {unknown > 0 && (
        <p className="muted small">
          {unknown} asset{unknown > 1 ? "s" : ""} with no known table: no table in their metadata
          and none named like them in this database.
        </p>
      )}
    </section>
  );
}

function RawFoldersTable({ operations }: { operations: OperationsResponse }) {
  if (operations.rawFolders.length === 0)
    return (
      <section>
        <h2>Raw folders</h2>
        <p className="muted">No raw folder is declared for compression in the definitions.</p>
      </section>
    );
  return (
    <section>
      <h2>Raw folders</h2>
      <table className="table operations" data-testid="operations-raw">
        <Head
          columns={[
            ["Folder"],
            ["Files", "number"],
            ["Size", "number"],
            ["Compressed", "number"],
            ["Gzip size", "number"],
            ["Compress after", "number"],
          ]}
        />
        <tbody>
          {operations.rawFolders.map((f) => (
            <tr key={f.label} data-testid="operations-raw-folder" data-folder={f.label}>
              <td className="mono" title={f.pattern}>
                {f.label}
                {!f.exists && <span className="muted"> (no folder yet)</span>}
              </td>
              <td className="number">{formatNumber(f.files)}</td>
              <td className="number">{formatBytes(f.bytes)}</td>
              <td className="number">{formatNumber(f.compressedFiles)}</td>
              <td className="number">{formatBytes(f.compressedBytes)}</td>
              <td className="number">{f.compressAfterDays} d</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function TablesTable({ operations }: { operations: OperationsResponse }) {
  const tables = operations.database.tables.slice(0, LARGEST_TABLES);
  return (
    <section>
      <h2>Largest tables</h2>
      <table className="table operations" data-testid="operations-tables">
        <Head columns={[["Table"], ["Size", "number"], ["Rows (est.)", "number"]]} />
        <tbody>
          {tables.map((t) => (
            <tr key={`${t.schema}.${t.name}`}>
              <td className="mono">
                {t.schema}.{t.name}
              </td>
              <td className="number">{formatBytes(t.bytes)}</td>
              <td className="number">
                {t.estimatedRows >= 0 ? formatNumber(t.estimatedRows) : "–"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
