import type pg from "pg";
import type { MaterializationInput } from "../storage";

/**
 * The staleness rule "upstream changed while running": of the upstream partitions a step read,
 * the assets of which some were materialised after the watermark the step took when it started
 * (`markRunning` / `claimPartitions`). The step's output is stale from the moment it is
 * recorded, because of those assets. An all-partitions dependency counts any newer
 * materialisation of the upstream asset (its digest's last one).
 *
 * One statement, whatever the number of upstream assets; none when the step read nothing.
 */
export async function upstreamChangedWhileRunning(
  tx: Pick<pg.PoolClient, "query">,
  readSince: MaterializationInput["readSince"],
): Promise<string[]> {
  const reads = upstreamReads(readSince);
  if (reads.whole.length === 0 && reads.partitioned.length === 0) return [];
  const values: unknown[] = [readSince.watermark];
  const params = upstreamParams(readKinds(reads), 2);
  if (params.whole !== undefined) values.push(reads.whole);
  if (params.partitioned !== undefined) values.push(JSON.stringify(reads.partitioned));
  const result = await tx.query<{ asset_key: string }>(upstreamChangedQuery(1, params), values);
  return result.rows.map((r) => r.asset_key);
}

/**
 * What a step read upstream, as parameters of `upstreamChangedQuery`: the assets read whole
 * (all-partitions dependencies), and the partitions read of the others (a jsonb array; an empty
 * read left out: nothing in it can have changed).
 */
export interface UpstreamReads {
  readonly whole: string[];
  readonly partitioned: { asset_key: string; partitions: string }[];
}

export function upstreamReads(readSince: MaterializationInput["readSince"]): UpstreamReads {
  const whole: string[] = [];
  const partitioned: { asset_key: string; partitions: string }[] = [];
  for (const u of readSince.upstream) {
    if (u.partitions === "all") whole.push(u.assetKey);
    else if (!u.partitions.isEmpty)
      partitioned.push({ asset_key: u.assetKey, partitions: u.partitions.toMultirange() });
  }
  return { whole, partitioned };
}

/** Which kinds of read there are. */
export function readKinds(reads: UpstreamReads): { whole: boolean; partitioned: boolean } {
  return { whole: reads.whole.length > 0, partitioned: reads.partitioned.length > 0 };
}

/** The parameter numbers of the kinds of read there are, from `first` on (whole, then partitioned). */
export function upstreamParams(
  kinds: { whole: boolean; partitioned: boolean },
  first: number,
): { whole?: number; partitioned?: number } {
  const whole = kinds.whole ? first : undefined;
  const partitioned = kinds.partitioned ? (whole === undefined ? first : first + 1) : undefined;
  return {
    ...(whole !== undefined ? { whole } : {}),
    ...(partitioned !== undefined ? { partitioned } : {}),
  };
}

/**
 * The SELECT of the rule, in asset order, with the watermark as parameter `$<watermark>`, the
 * assets read whole (text[]) as `$<whole>` and the partitions read (the jsonb of
 * `upstreamReads`) as `$<partitioned>`, each part only when given: a step that read nothing
 * selects nothing. Also the `changed` part of a materialisation's statement
 * (record-materialization.ts).
 */
export function upstreamChangedQuery(
  watermark: number,
  params: { whole?: number; partitioned?: number },
): string {
  const whole =
    params.whole === undefined
      ? undefined
      : `SELECT d.asset_key FROM lignee.asset_digests d
       WHERE d.asset_key = ANY($${params.whole}::text[]) AND d.last_materialization_id > $${watermark}`;
  const partitioned = (distinct: boolean): string =>
    `SELECT ${distinct ? "DISTINCT " : ""}u.asset_key
       FROM jsonb_to_recordset($${params.partitioned}::jsonb) AS u(asset_key text, partitions text)
       WHERE EXISTS (SELECT 1 FROM lignee.asset_partitions p
                     WHERE p.asset_key = u.asset_key AND p.materialization_id > $${watermark}
                       AND p.partition_index <@ u.partitions::int4multirange)`;
  if (whole !== undefined && params.partitioned !== undefined)
    return `${whole}
       UNION
       ${partitioned(false)}
       ORDER BY 1`;
  if (whole !== undefined) return `${whole}\n       ORDER BY d.asset_key`;
  if (params.partitioned !== undefined) return `${partitioned(true)}\n       ORDER BY u.asset_key`;
  // Read nothing: nothing changed, whatever the watermark (named only so that the statement
  // has the parameter).
  return `SELECT NULL::text AS asset_key WHERE $${watermark}::bigint IS NULL AND false`;
}
