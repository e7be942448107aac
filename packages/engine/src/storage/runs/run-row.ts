import type { LaunchKind } from "../launched-by";
import type { RunRecord, RunStatus } from "../storage";

/** The columns of `lignee.runs` a `RunRecord` shows, as pg returns them. */
export const RUN_COLUMNS = `id, status, selection, asset_keys, partition_spec, tags, created_at,
  started_at, ended_at, hostname, pid, error, launched_by, launched_by_detail, config`;

export interface RunRow {
  readonly id: string;
  readonly status: string;
  readonly selection: string;
  readonly asset_keys: string[];
  readonly partition_spec: Record<string, unknown> | null;
  readonly tags: Record<string, string>;
  readonly created_at: Date;
  readonly started_at: Date | null;
  readonly ended_at: Date | null;
  readonly hostname: string | null;
  readonly pid: number | null;
  readonly error: string | null;
  readonly launched_by: string | null;
  readonly launched_by_detail: string | null;
  readonly config: Record<string, unknown>;
}

export function toRunRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    status: row.status as RunStatus,
    selection: row.selection,
    assetKeys: row.asset_keys,
    partitionSpec: row.partition_spec,
    tags: row.tags,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    hostname: row.hostname,
    pid: row.pid,
    error: row.error,
    launchedBy:
      row.launched_by === null
        ? null
        : { kind: row.launched_by as LaunchKind, detail: row.launched_by_detail },
    config: row.config,
  };
}
