import { describePartitions } from "../../partitions/definition";
import type { Definitions } from "../../definitions/definitions";
import { resolveSelection } from "../../graph/selection";
import {
  computeStatus,
  describeCause,
  PARTITION_STATUSES,
  type AssetStatus,
} from "../../status/asset-status";
import type { Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { describeSubset, rangesAsKeys, table } from "../format";

export interface StatusOptions {
  readonly select?: string;
  readonly json?: boolean;
}

/** `lignee status`: one row per asset with its status, partition counts and stale causes. */
export async function statusCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: StatusOptions,
  io: CliIo,
): Promise<number> {
  const keys = options.select
    ? resolveSelection(definitions.graph, options.select)
    : definitions.graph.topologicalOrder();
  const now = new Date();
  const statuses = computeStatus(definitions, await runtime.storage.getAssetSummaries(), now);
  const selected = keys.map((k) => statuses.get(k)!);
  if (options.json) {
    io.out(JSON.stringify({ assets: selected.map((s) => statusJson(definitions, s)) }, null, 2));
    return 0;
  }
  const rows = [["ASSET", "STATUS", "PARTITIONS", "CAUSES"]];
  for (const s of selected) {
    const def = definitions.get(s.key).partitions;
    rows.push([
      s.key,
      s.status,
      countsText(s),
      s.causes.map((c) => causeText(def, s, c)).join("; "),
    ]);
  }
  io.out(table(rows));
  return 0;
}

function countsText(s: AssetStatus): string {
  if (!s.partitioned) return "-";
  const parts = PARTITION_STATUSES.filter((st) => s.counts[st] > 0).map(
    (st) => `${s.counts[st]} ${st.toLowerCase()}`,
  );
  return `${parts.join(", ") || "none"} (of ${s.total})`;
}

function causeText(
  def: Parameters<typeof describeSubset>[0],
  s: AssetStatus,
  c: AssetStatus["causes"][number],
): string {
  if (!s.partitioned) return describeCause(c);
  return `${describeCause(c)} [${describeSubset(def, c.partitions)}]`;
}

function statusJson(definitions: Definitions<unknown>, s: AssetStatus): Record<string, unknown> {
  const asset = definitions.get(s.key);
  const def = asset.partitions;
  return {
    key: s.key,
    group: asset.group,
    codeVersion: asset.codeVersion,
    partitioned: s.partitioned,
    partitions: describePartitions(def),
    status: s.status,
    total: s.total,
    counts: s.counts,
    ranges: Object.fromEntries(
      PARTITION_STATUSES.map((st) => [st, rangesAsKeys(def, s.subsets[st])]),
    ),
    causes: s.causes.map((c) => ({
      ...c,
      partitions: undefined,
      description: describeCause(c),
      count: c.partitions.size,
      ranges: rangesAsKeys(def, c.partitions),
    })),
  };
}
