import { describePartitions } from "../../partitions/definition";
import { loadDynamicPartitions } from "../../storage/dynamic-partitions/load-dynamic-partitions";
import type { Definitions } from "../../definitions/definitions";
import { resolveSelection } from "../../graph/selection";
import {
  computeStatus,
  describeCause,
  PARTITION_STATUSES,
  type AssetStatus,
} from "../../status/asset-status";
import { assetHealth, describeHealth } from "../../status/asset-health";
import type { Runtime } from "../../runtime/runtime";
import type { CheckResultRecord } from "../../storage/storage";
import type { CliIo } from "../context";
import { rangesAsKeys } from "../../partitions/key-ranges";
import { describeSubset, table } from "../format";
import { computeFreshness, type AssetFreshness } from "../../status/asset-freshness";
import { freshnessView } from "../../server/views";

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
  definitions = await loadDynamicPartitions(definitions, runtime.storage);
  const keys = options.select
    ? resolveSelection(definitions.graph, options.select)
    : definitions.graph.topologicalOrder();
  const now = new Date();
  const [summaries, lastMaterialized] = await Promise.all([
    runtime.storage.getAssetSummaries(),
    runtime.storage.lastMaterializedAt(),
  ]);
  const statuses = computeStatus(definitions, summaries, now);
  const freshness = computeFreshness(definitions, summaries, lastMaterialized, now);
  const selected = keys.map((k) => statuses.get(k)!);
  const checks = groupChecks(await runtime.storage.latestCheckResults());
  if (options.json) {
    const assets = selected.map((s) => ({
      ...statusJson(definitions, s),
      freshness: freshnessView(freshness.get(s.key)),
      checks: checks.get(s.key) ?? [],
    }));
    io.out(JSON.stringify({ assets }, null, 2));
    return 0;
  }
  const rows = [["ASSET", "STATUS", "PARTITIONS", "CHECKS", "CAUSES"]];
  for (const s of selected) {
    const def = definitions.get(s.key).partitions;
    rows.push([
      s.key,
      statusText(s, freshness.get(s.key)),
      countsText(s),
      checksText(checks.get(s.key) ?? []),
      s.causes.map((c) => causeText(def, s, c)).join("; "),
    ]);
  }
  io.out(table(rows));
  return 0;
}

/**
 * The status, then `OVERDUE since 2024-08-05 07:00 (2024-08-04)` when the asset misses its
 * freshness policy: the deadline shown in the policy's timezone.
 */
function statusText(s: AssetStatus, f: AssetFreshness | undefined): string {
  const e = f?.evaluation;
  if (!f || e?.state !== "overdue") return s.status;
  const zone = f.policy.kind === "deadline" ? f.policy.timezone : undefined;
  const since = e.since ? ` since ${localTime(e.since, zone)}` : " (never materialised)";
  const partition = e.partitionKey
    ? ` (${e.partitionKey}${e.missing && e.missing > 1 ? ` +${e.missing - 1}` : ""})`
    : "";
  return `${s.status}, OVERDUE${since}${partition}`;
}

/** `2024-08-05 07:00` in `zone` (with its name), or in UTC when none. */
function localTime(at: Date, zone: string | undefined): string {
  const text = at.toLocaleString("sv-SE", { timeZone: zone ?? "UTC", hour12: false });
  return `${text.slice(0, 16)} ${zone ?? "UTC"}`;
}

function groupChecks(records: readonly CheckResultRecord[]): Map<string, CheckResultRecord[]> {
  const out = new Map<string, CheckResultRecord[]>();
  for (const r of records) out.set(r.assetKey, [...(out.get(r.assetKey) ?? []), r]);
  return out;
}

/** `16/16 passed`, or the failing checks by name. */
function checksText(checks: readonly CheckResultRecord[]): string {
  if (checks.length === 0) return "-";
  const failed = checks.filter((c) => !c.passed);
  if (failed.length === 0) return `${checks.length}/${checks.length} passed`;
  return `${failed.length} failed: ${failed.map((c) => `${c.checkName} (${c.severity})`).join(", ")}`;
}

/** A partitioned asset's headline: `3 / 926 materialised · 0 stale · 0 failed`. */
function countsText(s: AssetStatus): string {
  return s.partitioned ? describeHealth(assetHealth(s)) : "-";
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
    health: assetHealth(s),
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
