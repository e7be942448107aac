import type { RawFolderCompression } from "./raw-folders";

/** What one maintenance did (or, for a dry run, would do). Stored with its run as JSON. */
export interface MaintenanceReport {
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly events: {
    readonly retentionDays: number;
    /** Events of runs that ended before this instant are pruned. */
    readonly cutoff: string;
    readonly runs: number;
    readonly rows: number;
    /** Bytes of the pruned rows' data (space PostgreSQL can reuse). */
    readonly bytes: number;
  };
  readonly sensorTicks: {
    readonly retentionDays: number;
    readonly cutoff: string;
    readonly rows: number;
    readonly bytes: number;
  };
  /**
   * The audit trail's lines older than the cutoff; also failed sign-ins older than a day and
   * sessions past their absolute expiry (counted, not measured).
   */
  readonly audit: {
    readonly retentionDays: number;
    readonly cutoff: string;
    readonly rows: number;
    readonly bytes: number;
    readonly signInFailures: number;
    readonly expiredSessions: number;
  };
  /** VACUUM (ANALYZE) of the pruned tables, with their size on disk before and after. */
  readonly vacuum: readonly {
    readonly table: string;
    readonly bytesBefore: number;
    readonly bytesAfter: number;
  }[];
  readonly rawFiles: readonly RawFolderCompression[];
  readonly bytesFreed: {
    /** Pruned row data: reusable by PostgreSQL (returned to the disk only when a table's tail empties). */
    readonly databaseRows: number;
    /** What the pruned tables' size on disk went down by (0 in a dry run). */
    readonly databaseDisk: number;
    /** Raw bytes minus their gzip size (in a dry run: the raw bytes to compress). */
    readonly files: number;
  };
}

/** The report in a few lines, for logs and the CLI. */
export function describeMaintenance(report: MaintenanceReport): string[] {
  const would = report.dryRun ? "would " : "";
  const lines = [
    `events: ${would}prune ${report.events.rows} row(s) of ${report.events.runs} run(s) ended before ${report.events.cutoff.slice(0, 10)} (${formatBytes(report.events.bytes)})`,
    `sensor evaluations: ${would}prune ${report.sensorTicks.rows} row(s) older than ${report.sensorTicks.cutoff.slice(0, 10)} (${formatBytes(report.sensorTicks.bytes)})`,
  ];
  const a = report.audit;
  lines.push(
    `audit trail: ${would}prune ${a.rows} line(s) older than ${a.cutoff.slice(0, 10)} (${formatBytes(a.bytes)}), ${a.signInFailures} failed sign-in(s), ${a.expiredSessions} expired session(s)`,
  );
  for (const v of report.vacuum)
    lines.push(
      `vacuum ${v.table}: ${formatBytes(v.bytesBefore)} → ${formatBytes(v.bytesAfter)} on disk`,
    );
  for (const f of report.rawFiles) {
    const sizes = report.dryRun
      ? formatBytes(f.bytesBefore)
      : `${formatBytes(f.bytesBefore)} → ${formatBytes(f.bytesAfter)}`;
    lines.push(
      `raw files ${f.label}: ${would}compress ${f.files} file(s) older than ${f.compressAfterDays} d (${sizes})` +
        (f.skipped.length > 0 ? `, ${f.skipped.length} left alone` : ""),
    );
  }
  const freed = report.bytesFreed;
  lines.push(
    report.dryRun
      ? `would free: ${formatBytes(freed.databaseRows)} of database rows, up to ${formatBytes(freed.files)} of raw files`
      : `freed: ${formatBytes(freed.databaseRows)} of database rows (${formatBytes(freed.databaseDisk)} of disk), ${formatBytes(freed.files)} of raw files`,
  );
  return lines;
}

/** `1.2 MB`, `830 kB`, `12 B` (powers of 1000). */
export function formatBytes(bytes: number): string {
  const units = ["B", "kB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
