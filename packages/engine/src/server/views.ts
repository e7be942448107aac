import type { AssetDefinition } from "../definitions/asset";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import type { Definitions } from "../definitions/definitions";
import { UnknownAssetError } from "../errors";
import { allPartitions, describePartitions, partitionKeys } from "../partitions/definition";
import { rangesAsKeys } from "../partitions/key-ranges";
import { assetHealth } from "../status/asset-health";
import { computeFreshness, type AssetFreshness } from "../status/asset-freshness";
import { describeFreshnessPolicy } from "../definitions/freshness-policy";
import { configJsonSchema } from "../definitions/run-config";
import {
  computeStatus,
  describeCause,
  PARTITION_STATUSES,
  type AssetStatus,
} from "../status/asset-status";
import type {
  CheckResultRecord,
  MaterializationRecord,
  RunRecord,
  Storage,
  StoredEvent,
} from "../storage/storage";

/**
 * JSON views of the engine's state for the API: plain objects with ISO dates, computed from
 * the same pure status functions as the CLI.
 */

export async function assetGraphView(
  definitions: Definitions<unknown>,
  storage: Storage,
  now: Date,
) {
  definitions = await loadDynamicPartitions(definitions, storage);
  const [summaries, checkResults, lastMaterialized] = await Promise.all([
    storage.getAssetSummaries(),
    storage.latestCheckResults(),
    storage.lastMaterializedAt(),
  ]);
  const statuses = computeStatus(definitions, summaries, now);
  const freshness = computeFreshness(definitions, summaries, lastMaterialized, now);
  const checks = groupChecks(checkResults);
  const snapshot = definitions.graph.snapshot();
  return {
    nodes: definitions.graph.topologicalOrder().map((key) => {
      const status = statuses.get(key)!;
      const asset = definitions.get(key);
      return {
        key,
        group: asset.group,
        status: status.status,
        partitioned: status.partitioned,
        total: status.total,
        counts: status.counts,
        health: assetHealth(status),
        causes: causesView(definitions, status),
        checks: checksSummary(checks.get(key) ?? []),
        // dbt assets are tagged so by the manifest loader (dbt/dbt-assets.ts).
        kind: asset.tags.kind === "dbt" ? ("dbt" as const) : ("typescript" as const),
        tags: { ...asset.tags },
        owners: [...asset.owners],
        lastMaterializedAt: lastMaterialized.get(key)?.toISOString() ?? null,
        freshness: freshnessView(freshness.get(key)),
        configSchema: asset.config ? configJsonSchema(asset.config) : null,
      };
    }),
    edges: snapshot.edges.map((e) => ({ from: e.from, to: e.to })),
  };
}

export async function assetDetailView(
  definitions: Definitions<unknown>,
  storage: Storage,
  key: string,
  now: Date,
) {
  if (!definitions.has(key)) throw new UnknownAssetError(key);
  definitions = await loadDynamicPartitions(definitions, storage);
  const asset = definitions.get(key);
  const [summaries, materializations, checks, lastMaterialized] = await Promise.all([
    storage.getAssetSummaries(),
    storage.listMaterializations(key, { limit: 20 }),
    storage.latestCheckResults(key),
    storage.lastMaterializedAt(),
  ]);
  const status = computeStatus(definitions, summaries, now).get(key)!;
  const freshness = computeFreshness(definitions, summaries, lastMaterialized, now).get(key);
  return {
    key,
    group: asset.group,
    description: asset.description ?? null,
    tags: { ...asset.tags },
    codeVersion: asset.codeVersion,
    deps: definitions.deps(key).map((d) => d.asset),
    dependents: definitions.dependents(key).map((d) => d.asset),
    partitions: describePartitions(asset.partitions),
    partitioned: status.partitioned,
    partitionKeys:
      asset.partitions && asset.partitions.kind !== "multi"
        ? partitionKeys(asset.partitions, allPartitions(asset.partitions, now))
        : [],
    ...(asset.partitions?.kind === "multi"
      ? {
          partitionGrid: {
            timeDimension: asset.partitions.time.name,
            staticDimension: asset.partitions.static.name,
            staticKeys: [...asset.partitions.static.partitions.keys],
            periodKeys: partitionKeys(
              asset.partitions.time.partitions,
              allPartitions(asset.partitions.time.partitions, now),
            ),
          },
        }
      : {}),
    status: status.status,
    total: status.total,
    counts: status.counts,
    health: assetHealth(status),
    ranges: Object.fromEntries(
      PARTITION_STATUSES.map((st) => [st, rangesAsKeys(asset.partitions, status.subsets[st])]),
    ),
    waitingRanges: rangesAsKeys(asset.partitions, status.waiting),
    causes: causesView(definitions, status),
    freshness: freshnessView(freshness),
    configSchema: asset.config ? configJsonSchema(asset.config) : null,
    materializations: materializations.map(materializationView),
    checks: checks.map(checkResultView),
    ...(await detailsView(asset.details)),
  };
}

/** An asset's freshness for the API; null when it has no policy. */
export function freshnessView(f: AssetFreshness | undefined) {
  if (!f) return null;
  const e = f.evaluation;
  return {
    state: e.state,
    since: e.state === "overdue" ? (e.since?.toISOString() ?? null) : null,
    partitionKey: e.state === "overdue" ? (e.partitionKey ?? null) : null,
    missing: e.state === "overdue" ? (e.missing ?? null) : null,
    deadline: e.deadline?.toISOString() ?? null,
    lagSeconds: e.lagSeconds,
    policy: describeFreshnessPolicy(f.policy),
  };
}

export function checkResultView(c: CheckResultRecord) {
  return {
    checkName: c.checkName,
    partitionKey: c.partitionKey,
    passed: c.passed,
    severity: c.severity,
    description: c.description,
    metadata: c.metadata,
    runId: c.runId,
    createdAt: c.createdAt.toISOString(),
  };
}

/**
 * An asset's columns and code, read when asked for. A project file that cannot be read (a dbt
 * manifest removed since the definitions loaded) leaves them out rather than failing the page.
 */
async function detailsView(details: AssetDefinition<unknown>["details"]) {
  const read = details ? await details().catch(() => undefined) : undefined;
  return {
    columns: (read?.columns ?? []).map((c) => ({ ...c })),
    code: read?.code
      ? {
          language: read.code.language,
          raw: read.code.raw,
          compiled: read.code.compiled ?? null,
        }
      : null,
  };
}

/**
 * An asset's materialisations, newest first; with `latestPerPartition`, only the newest of each
 * partition (e.g. to plot the row count of every partition).
 */
export async function assetMaterializationsView(
  definitions: Definitions<unknown>,
  storage: Storage,
  key: string,
  options: { limit: number; latestPerPartition: boolean },
) {
  if (!definitions.has(key)) throw new UnknownAssetError(key);
  const list = await storage.listMaterializations(key, options);
  return { materializations: list.map(materializationView) };
}

export function materializationView(m: MaterializationRecord) {
  return {
    id: m.id,
    runId: m.runId,
    partitionKey: m.partitionKey,
    dataVersion: m.dataVersion,
    codeVersion: m.codeVersion,
    metadata: m.metadata,
    createdAt: m.createdAt.toISOString(),
  };
}

export function runView(run: RunRecord) {
  const durationMs = run.startedAt
    ? (run.endedAt ?? new Date()).getTime() - run.startedAt.getTime()
    : null;
  return {
    id: run.id,
    status: run.status,
    selection: run.selection,
    assetKeys: [...run.assetKeys],
    partitionSpec: run.partitionSpec,
    tags: run.tags,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    endedAt: run.endedAt?.toISOString() ?? null,
    durationMs,
    error: run.error,
    launchedBy: run.launchedBy,
    config: run.config,
  };
}

/** A run as `GET /api/runs` lists it: its config is left to its detail (it may be 64 KiB). */
export function runListItemView(run: RunRecord) {
  const { config: _config, ...item } = runView(run);
  return item;
}

type StepStatus = "RUNNING" | "SUCCESS" | "FAILURE" | "SKIPPED";

/** Per-step summary rebuilt from the run's events (the event log is the source of truth). */
export function stepsView(events: readonly StoredEvent[]) {
  const steps = new Map<
    string,
    {
      key: string;
      status: StepStatus;
      assetKeys: string[];
      partitionKey: string | null;
      startedAt: string | null;
      endedAt: string | null;
      attempts: number;
    }
  >();
  for (const e of events) {
    if (!e.stepKey) continue;
    let step = steps.get(e.stepKey);
    if (!step) {
      step = {
        key: e.stepKey,
        status: "RUNNING",
        assetKeys: [],
        partitionKey: e.partitionKey ?? null,
        startedAt: null,
        endedAt: null,
        attempts: 0,
      };
      steps.set(e.stepKey, step);
    }
    if (e.assetKey && !step.assetKeys.includes(e.assetKey)) step.assetKeys.push(e.assetKey);
    const at = e.timestamp.toISOString();
    // A step starts once and retries in place: each STEP_RETRY means one more attempt.
    if (e.type === "STEP_START") {
      step.attempts = Math.max(step.attempts, 1);
      step.startedAt ??= at;
      step.status = "RUNNING";
    } else if (e.type === "STEP_RETRY") {
      step.attempts++;
    } else if (
      e.type === "STEP_SUCCESS" ||
      e.type === "STEP_FAILURE" ||
      e.type === "STEP_SKIPPED"
    ) {
      step.status =
        e.type === "STEP_SUCCESS" ? "SUCCESS" : e.type === "STEP_FAILURE" ? "FAILURE" : "SKIPPED";
      step.endedAt = at;
    }
  }
  return [...steps.values()];
}

export function eventView(e: StoredEvent) {
  return { ...e, timestamp: e.timestamp.toISOString() };
}

export function causesView(definitions: Definitions<unknown>, status: AssetStatus) {
  const def = definitions.get(status.key).partitions;
  return status.causes.map((c) => ({
    kind: c.kind,
    description: describeCause(c),
    count: c.partitions.size,
    ranges: rangesAsKeys(def, c.partitions),
  }));
}

function groupChecks(records: readonly CheckResultRecord[]): Map<string, CheckResultRecord[]> {
  const out = new Map<string, CheckResultRecord[]>();
  for (const r of records) out.set(r.assetKey, [...(out.get(r.assetKey) ?? []), r]);
  return out;
}

function checksSummary(checks: readonly CheckResultRecord[]) {
  const failed = checks.filter((c) => !c.passed);
  return {
    total: checks.length,
    passed: checks.length - failed.length,
    failed: failed.map((c) => ({ name: c.checkName, severity: c.severity })),
  };
}
