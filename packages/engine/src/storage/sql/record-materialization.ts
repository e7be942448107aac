import { CHANGES_CHANNEL } from "../changes-channel";
import { LigneeError } from "../../errors";
import { IntervalSet } from "../../partitions/interval-set";
import type { Queryable } from "../runs/queryable";
import type { MaterializationInput } from "../storage";
import { ASYNCHRONOUS_COMMIT } from "../transaction";
import { versionHash } from "../version-hash";
import { readKinds, upstreamChangedQuery, upstreamParams, upstreamReads } from "./upstream-changed";

/**
 * Records a materialisation in one statement (see RECORD); resolves to the history rows' ids,
 * in the order of the partitions. With a label, errors become STORAGE errors (a statement of
 * its own); in a transaction, the transaction reports them.
 */
export async function recordMaterialization(
  db: Queryable,
  input: MaterializationInput,
  label?: string,
): Promise<number[]> {
  const hashes = input.partitions.map((p) => versionHash(p.key, p.dataVersion));
  let added = 0n;
  for (const h of hashes) added ^= h;
  const downstream = downstreamMarks(input.invalidates);
  const reads = upstreamReads(input.readSince);
  const kinds = readKinds(reads);
  const statement = RECORD[kinds.whole ? 1 : 0][kinds.partitioned ? 1 : 0];
  const query = {
    ...statement,
    values: [
      input.runId,
      input.assetKey,
      input.codeVersion,
      JSON.stringify(input.metadata),
      input.partitions.map((p) => p.key),
      input.partitions.map((p) => p.index),
      input.partitions.map((p) => p.dataVersion),
      input.partitions.map((p) => JSON.stringify(p.inputVersions)),
      input.partitions.map((p) => JSON.stringify(p.metadata ?? {})),
      hashes.map(String),
      input.depsSignature,
      String(added),
      IntervalSet.fromIndices(input.partitions.map((p) => p.index)).toMultirange(),
      [...downstream.keys()],
      [...downstream.values()].map((partitions) => partitions.toMultirange()),
      input.readSince.watermark,
      ...(kinds.whole ? [reads.whole] : []),
      ...(kinds.partitioned ? [JSON.stringify(reads.partitioned)] : []),
    ],
  };
  try {
    const result = await db.query<{ id: string }>(query);
    return result.rows.map((r) => Number(r.id));
  } catch (error) {
    if (label === undefined) throw error;
    throw new LigneeError("STORAGE", `${label}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The downstream stale marks to add: each asset once (an upsert may not touch a row twice), with
 * the partitions of all its reads, in asset order (the order their rows are locked in).
 */
function downstreamMarks(
  invalidates: MaterializationInput["invalidates"],
): Map<string, IntervalSet> {
  const marks = new Map<string, IntervalSet>();
  for (const target of invalidates) {
    if (target.partitions.isEmpty) continue;
    const before = marks.get(target.assetKey);
    marks.set(target.assetKey, before ? before.union(target.partitions) : target.partitions);
  }
  if (marks.size < 2) return marks;
  return new Map([...marks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * A materialisation, in one statement:
 *
 * - the history rows (one per partition), the latest row per partition, and the digest: XOR out
 *   the hashes of the rows being replaced, XOR in the new ones (O(1) per partition, whatever the
 *   asset's size). `previous` is read (its rows locked) before `input` yields a row, so before
 *   anything is written: `input`'s scalar subquery on it is evaluated first;
 * - the roll-ups: the written partitions move to this (code version, deps) group, lose their
 *   stale marks, failed state and running mark; they are marked stale at once because of each
 *   upstream that changed while the step ran (`upstreamChangedQuery`), and the direct
 *   downstream partitions that read them are marked stale.
 *
 * A version group or a downstream stale mark that already holds the written partitions is left
 * as it is: no new row version (the upsert still locks the row, which keeps concurrent
 * materialisations in order, and logs that lock).
 *
 * Each row is written by one UPDATE or upsert, which sees its latest version (concurrent
 * materialisations of other partitions of the asset move the same rows): a version group or a
 * running mark left empty is deleted by the asset's next materialisation, or with the run's
 * marks, and reads skip empty ones.
 *
 * $13 is the written partitions (int4multirange); $14/$15 the downstream marks (each asset
 * once); $16 the step's watermark, then what it read upstream (see `upstreamChangedQuery`): one
 * named statement per kind of read (assets read whole, partitions read), so that a step that
 * read none of a kind runs no part for it.
 */
function recordStatement(whole: boolean, partitioned: boolean): { name: string; text: string } {
  const params = upstreamParams({ whole, partitioned }, 17);
  return {
    name: `lignee_record_materialization${whole ? "_w" : ""}${partitioned ? "_p" : ""}`,
    text: `WITH previous AS MATERIALIZED (
       SELECT partition_index, version_hash FROM lignee.asset_partitions
       WHERE asset_key = $2 AND partition_index = ANY($6::int[]) FOR UPDATE),
     input AS MATERIALIZED (
       SELECT u.*, (SELECT count(*) FROM previous) AS replaced, ${ASYNCHRONOUS_COMMIT} AS async
       FROM unnest($5::text[], $6::int[], $7::text[], $8::jsonb[], $9::jsonb[], $10::bigint[])
         WITH ORDINALITY AS u(k, i, v, iv, pm, h, n)),
     history AS (
       INSERT INTO lignee.materializations
         (run_id, asset_key, partition_key, partition_index, data_version, code_version, input_versions, metadata, created_at)
       SELECT $1, $2, k, i, v, $3, iv, $4::jsonb || pm, now() FROM input ORDER BY n
       RETURNING id, partition_index),
     latest AS (
       INSERT INTO lignee.asset_partitions
         (asset_key, partition_key, partition_index, materialization_id, run_id, data_version, version_hash,
          code_version, deps_signature, materialized_at)
       SELECT $2, input.k, input.i, history.id, $1, input.v, input.h, $3, $11, now()
       FROM input JOIN history ON history.partition_index = input.i
       ON CONFLICT (asset_key, partition_index) DO UPDATE SET
         partition_key = excluded.partition_key, materialization_id = excluded.materialization_id,
         run_id = excluded.run_id, data_version = excluded.data_version, version_hash = excluded.version_hash,
         code_version = excluded.code_version, deps_signature = excluded.deps_signature,
         materialized_at = excluded.materialized_at),
     digest AS (
       INSERT INTO lignee.asset_digests (asset_key, digest, partition_count, last_materialization_id)
       SELECT $2, $12::bigint # coalesce((SELECT bit_xor(version_hash) FROM previous), 0),
              cardinality($6::int[]) - (SELECT count(*) FROM previous), max(id)
       FROM history
       ON CONFLICT (asset_key) DO UPDATE SET
         digest = asset_digests.digest # excluded.digest,
         partition_count = asset_digests.partition_count + excluded.partition_count,
         last_materialization_id = excluded.last_materialization_id),
     moved AS (
       UPDATE lignee.asset_version_ranges SET partitions = partitions - $13::int4multirange
       WHERE asset_key = $2 AND NOT (code_version = $3 AND deps_signature = $11)
         AND partitions && $13::int4multirange),
     emptied AS (
       DELETE FROM lignee.asset_version_ranges
       WHERE asset_key = $2 AND NOT (code_version = $3 AND deps_signature = $11)
         AND isempty(partitions)),
     own AS (
       INSERT INTO lignee.asset_version_ranges (asset_key, code_version, deps_signature, partitions)
       VALUES ($2, $3, $11, $13::int4multirange)
       ON CONFLICT (asset_key, code_version, deps_signature)
       DO UPDATE SET partitions = asset_version_ranges.partitions + excluded.partitions
       WHERE NOT asset_version_ranges.partitions @> excluded.partitions),
     changed AS (${upstreamChangedQuery(16, params)}),
     fresh AS (
       UPDATE lignee.asset_stale_marks
       SET partitions = partitions - $13::int4multirange
         + CASE WHEN upstream_key IN (SELECT asset_key FROM changed)
                THEN $13::int4multirange ELSE '{}'::int4multirange END
       WHERE asset_key = $2
         AND (partitions && $13::int4multirange OR upstream_key IN (SELECT asset_key FROM changed))),
     stale AS (
       INSERT INTO lignee.asset_stale_marks (asset_key, upstream_key, partitions)
       SELECT $2, c.asset_key, $13::int4multirange FROM changed c
       WHERE NOT EXISTS (SELECT 1 FROM lignee.asset_stale_marks m
                         WHERE m.asset_key = $2 AND m.upstream_key = c.asset_key)
       ON CONFLICT (asset_key, upstream_key)
         DO UPDATE SET partitions = asset_stale_marks.partitions + excluded.partitions),
     succeeded AS (
       UPDATE lignee.asset_failed SET partitions = partitions - $13::int4multirange
       WHERE asset_key = $2 AND partitions && $13::int4multirange),
     done AS (
       UPDATE lignee.asset_running SET partitions = partitions - $13::int4multirange
       WHERE asset_key = $2 AND run_id = $1 AND partitions && $13::int4multirange),
     invalidated AS (
       INSERT INTO lignee.asset_stale_marks (asset_key, upstream_key, partitions)
       SELECT d.asset_key, $2, d.partitions
         FROM unnest($14::text[], $15::int4multirange[]) AS d(asset_key, partitions)
       ON CONFLICT (asset_key, upstream_key)
         DO UPDATE SET partitions = asset_stale_marks.partitions + excluded.partitions
         WHERE NOT asset_stale_marks.partitions @> excluded.partitions)
     -- Delivered on commit: eager automation looks now rather than at its next interval.
     SELECT history.id FROM history JOIN input ON input.i = history.partition_index
       CROSS JOIN (SELECT pg_notify('${CHANGES_CHANNEL}', $2)) AS notified
     ORDER BY input.n`,
  };
}

/** The statements, by [reads assets whole][reads partitions]. */
const RECORD = [
  [recordStatement(false, false), recordStatement(false, true)],
  [recordStatement(true, false), recordStatement(true, true)],
] as const;
