import {
  dailyPartitions,
  defineAsset,
  Definitions,
  downstreamPartitionsFor,
  IntervalSet,
  partitionKey,
  partitionBounds,
  type Storage,
} from "@lignee/engine";
import { seededRandom } from "./support";

/**
 * The synthetic estate of `pnpm bench ui`: 2,000 assets in 15 groups over 20 layers, each
 * reading 1–3 assets of the layers above; about a third are daily-partitioned from 2023-06-01
 * (1,000+ partitions), the rest unpartitioned. `seedUiEstate` gives it a history through the
 * storage interface — backfills, recent re-materialisations upstream (stale downstream), code
 * version and dependency changes, failures, a run in progress, check results — so that the UI
 * shows a realistic mix of statuses.
 *
 * The module's default export is the definitions, so the estate can also be browsed:
 * `pnpm lignee --definitions bench/ui-estate.ts dev` (statuses stay missing until seeded).
 */

export const LAYERS = 20;
export const PER_LAYER = 100;
export const PARTITIONS_START = "2023-06-01";
export const GROUPS = [
  "collecte",
  "referentiels",
  "ventes",
  "finance",
  "marketing",
  "logistique",
  "rh",
  "produit",
  "support",
  "risque",
  "paiements",
  "clients",
  "stocks",
  "web",
  "mobile",
] as const;

/** The daily asset whose page the benchmark opens (its full history is materialised). */
export const PAGE_ASSET = "collecte/l00_0000";

const daily = dailyPartitions({ start: PARTITIONS_START, timezone: "Europe/Paris" });

export interface EstateAsset {
  readonly key: string;
  readonly group: string;
  readonly layer: number;
  readonly deps: readonly string[];
  readonly daily: boolean;
  /** The code version defined now; the history may have been built with "1". */
  readonly codeVersion: string;
  /** Fraction of the asset's possible history it was backfilled with (from the end). */
  readonly history: number;
  /** Days at the end not materialised yet (0: up to date). */
  readonly lag: number;
  /** Never materialised at all. */
  readonly never: boolean;
  /**
   * Days (counted back from the last partition) that were never collected, for sources; their
   * downstream misses them too. The first `failedGaps` of them failed.
   */
  readonly gaps: readonly number[];
  readonly failedGaps: number;
  /** Its last materialisations used one dependency fewer (dependencies-changed). */
  readonly depAdded: boolean;
  /** Re-materialised recently (after its downstream): days at the end, or 1 for unpartitioned. */
  readonly recent: number;
  /** Its latest attempt failed (the days after its materialised range, or the asset). */
  readonly failed: boolean;
  readonly check: "none" | "passed" | "failed";
}

function keyOf(group: string, layer: number, index: number): string {
  return `${group}/l${String(layer).padStart(2, "0")}_${String(index).padStart(4, "0")}`;
}

export function buildUiEstate(): EstateAsset[] {
  const random = seededRandom(20_261_121);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const assets: EstateAsset[] = [];
  const byLayer: EstateAsset[][] = [];
  for (let layer = 0; layer < LAYERS; layer++) {
    const row: EstateAsset[] = [];
    for (let i = 0; i < PER_LAYER; i++) {
      const index = layer * PER_LAYER + i;
      const deps: EstateAsset[] = [];
      if (layer > 0) {
        // Mostly the layer just above, sometimes further up; 1–3 of them.
        const n = 1 + Math.floor(random() * 3);
        while (deps.length < n) {
          const from = Math.max(0, layer - 1 - (random() < 0.75 ? 0 : Math.floor(random() * 3)));
          const candidate = pick(byLayer[from]!);
          if (!deps.includes(candidate)) deps.push(candidate);
        }
      }
      const group =
        layer === 0 ? GROUPS[i % GROUPS.length]! : random() < 0.85 ? deps[0]!.group : pick(GROUPS);
      const dailyDeps = deps.filter((d) => d.daily).length;
      const isDaily =
        index === 0 || (layer === 0 ? random() < 0.5 : random() < (dailyDeps > 0 ? 0.45 : 0.1));
      // What makes assets stale sits mostly near the end of the graph: staleness spreads to
      // everything downstream, and upstream changes are usually caught up quickly.
      const roll = random();
      const late = layer >= 13;
      const asset: EstateAsset = {
        key: index === 0 ? PAGE_ASSET : keyOf(group, layer, index),
        group: index === 0 ? "collecte" : group,
        layer,
        deps: deps.map((d) => d.key),
        daily: isDaily,
        codeVersion: late && roll < 0.03 ? "2" : "1",
        history: index === 0 ? 1 : random() < 0.6 ? 1 : 0.1 + random() * 0.8,
        lag: index === 0 ? 0 : random() < 0.85 ? 0 : 1 + Math.floor(random() * 4),
        // Recently added assets at the end of the graph, not built yet.
        never: layer >= LAYERS - 3 && random() < 0.1,
        gaps:
          layer === 0 && (index === 0 || random() < 0.3)
            ? Array.from({ length: index === 0 ? 12 : 1 + Math.floor(random() * 6) }, () =>
                Math.floor(random() * 1_000),
              )
            : [],
        failedGaps: index === 0 ? 3 : random() < 0.3 ? 1 : 0,
        depAdded: late && deps.length >= 2 && roll >= 0.03 && roll < 0.05,
        recent: layer >= 10 && layer < 18 && random() < 0.04 ? 1 + Math.floor(random() * 5) : 0,
        failed: index !== 0 && random() < 0.02,
        check: random() < 0.12 ? (random() < 0.15 ? "failed" : "passed") : "none",
      };
      row.push(asset);
      assets.push(asset);
    }
    byLayer.push(row);
  }
  return assets;
}

export function uiDefinitions(assets: readonly EstateAsset[] = buildUiEstate()): Definitions {
  return Definitions.create({
    assets: assets.map((a) =>
      defineAsset({
        key: a.key,
        group: a.group,
        deps: a.deps,
        codeVersion: a.codeVersion,
        tags: { layer: String(a.layer) },
        owners: [`${a.group}-team`],
        ...(a.daily ? { partitions: daily } : {}),
        materialize: async () => ({ metadata: { rows: 0 } }),
      }),
    ),
  });
}

export default uiDefinitions();

export interface SeedSummary {
  readonly materializationCalls: number;
  readonly partitionsWritten: number;
  readonly runs: number;
}

/**
 * Writes the estate's history with the storage interface, as runs would have: per asset in
 * topological order, backfills of 90-day chunks (one materialisation record per partition),
 * then recent re-materialisations that mark their downstream stale, failures, a running step
 * and check results.
 */
export async function seedUiEstate(
  storage: Storage,
  definitions: Definitions,
  assets: readonly EstateAsset[],
  now: Date,
  log: (message: string) => void,
): Promise<SeedSummary> {
  const random = seededRandom(7);
  const { first, last } = partitionBounds(daily, now);
  const bounds = { first, end: last + 1 };
  const total = bounds.end - bounds.first;
  const byKey = new Map(assets.map((a) => [a.key, a]));
  let calls = 0;
  let written = 0;
  const runIds: string[] = [];
  const newRun = async (id: string, status: "SUCCESS" | "STARTED", keys: string[]) => {
    await storage.createRun({
      id,
      status,
      selection: keys.length === 1 ? keys[0]! : "*",
      assetKeys: keys,
      partitionSpec: null,
      hostname: "bench",
      pid: process.pid,
    });
    runIds.push(id);
    return id;
  };

  /** Materialised range of each asset (daily: partition indices; unpartitioned: {0}). */
  const materialized = new Map<string, IntervalSet>();
  const record = async (
    runId: string,
    asset: EstateAsset,
    partitions: IntervalSet,
    options: { codeVersion?: string; depsSignature?: string; invalidate?: boolean } = {},
  ): Promise<void> => {
    const list = [...partitions];
    for (let at = 0; at < list.length; at += 90) {
      const chunk = list.slice(at, at + 90);
      const rows = Math.round(5_000 + random() * 45_000);
      await storage.recordMaterialization({
        runId,
        assetKey: asset.key,
        codeVersion: options.codeVersion ?? asset.codeVersion,
        depsSignature: options.depsSignature ?? definitions.depsSignature(asset.key),
        partitions: chunk.map((i) => ({
          key: asset.daily ? partitionKey(daily, i) : "",
          index: i,
          dataVersion: `${runId}:${i}`,
          inputVersions: {},
        })),
        metadata: { rows, duration_ms: Math.round(200 + random() * 5_000) },
        // During the backfill every downstream asset is built afterwards: no mark would survive.
        invalidates: options.invalidate
          ? definitions
              .dependents(asset.key)
              .map((d) => ({
                assetKey: d.asset,
                partitions: downstreamPartitionsFor(
                  d.mapping,
                  IntervalSet.fromIndices(chunk),
                  definitions.get(d.asset).partitions,
                  now,
                  definitions.get(asset.key).partitions,
                ),
              }))
              .sort((x, y) => (x.assetKey < y.assetKey ? -1 : 1))
          : [],
        readSince: { watermark: Number.MAX_SAFE_INTEGER, upstream: [] },
      });
      calls++;
      written += chunk.length;
    }
  };

  // 1. Backfills, layer by layer: a daily asset covers what all its daily upstreams cover,
  // trimmed by its own history and lag.
  const backfill = await newRun("bench-ui-backfill", "SUCCESS", ["*"]);
  for (const key of definitions.graph.topologicalOrder()) {
    const asset = byKey.get(key)!;
    if (asset.never || asset.deps.some((d) => materialized.get(d)?.isEmpty ?? true)) {
      materialized.set(key, IntervalSet.EMPTY);
      continue;
    }
    let range = asset.daily
      ? IntervalSet.fromRange(
          bounds.first + Math.floor(total * (1 - asset.history)),
          bounds.end - asset.lag,
        )
      : IntervalSet.single(0);
    if (asset.daily) {
      for (const d of asset.deps)
        if (byKey.get(d)!.daily) range = range.intersect(materialized.get(d)!);
    }
    if (asset.daily && asset.gaps.length > 0) {
      range = range.subtract(IntervalSet.fromIndices(asset.gaps.map((g) => bounds.end - 1 - g)));
    }
    materialized.set(key, range);
    if (range.isEmpty) continue;
    if (asset.codeVersion !== "1" || asset.depAdded) {
      // Built long ago with version 1 or one dependency fewer; only the last month since.
      const old = asset.daily
        ? range.intersect(IntervalSet.fromRange(bounds.first, bounds.end - 30))
        : range;
      await record(backfill, asset, old, {
        codeVersion: "1",
        ...(asset.depAdded ? { depsSignature: [...asset.deps].sort().slice(1).join(",") } : {}),
      });
      await record(backfill, asset, range.subtract(old));
    } else {
      await record(backfill, asset, range);
    }
  }
  log(`  backfill: ${calls} materialisation calls, ${written} partitions`);

  // 2. Recent activity: upstream days collected again (their downstream is now stale).
  const recentRun = await newRun("bench-ui-recent", "SUCCESS", ["*"]);
  for (const asset of assets) {
    const range = materialized.get(asset.key)!;
    if (asset.recent === 0 || range.isEmpty) continue;
    const last = asset.daily
      ? range.intersect(IntervalSet.fromRange(bounds.end - asset.recent, bounds.end))
      : range;
    await record(recentRun, asset, last, { invalidate: true });
  }

  // 3. Failures: the days after the materialised range (or the asset itself).
  const failedRun = await newRun("bench-ui-failed", "SUCCESS", ["*"]);
  for (const asset of assets) {
    for (const g of asset.gaps.slice(0, asset.failedGaps)) {
      await storage.markFailed(failedRun, asset.key, IntervalSet.single(bounds.end - 1 - g));
    }
    if (!asset.failed) continue;
    const range = materialized.get(asset.key)!;
    const failed = asset.daily
      ? IntervalSet.fromRange(range.isEmpty ? bounds.end - 3 : range.ranges.at(-1)![1], bounds.end)
      : IntervalSet.single(0);
    if (!failed.isEmpty) await storage.markFailed(failedRun, asset.key, failed);
  }

  // 4. A run in progress on two assets, and check results.
  const running = assets.filter((a) => a.layer === LAYERS - 1 && a.daily).slice(0, 2);
  const runningRun = await newRun(
    "bench-ui-running",
    "STARTED",
    running.map((a) => a.key),
  );
  for (const asset of running) {
    await storage.markRunning(
      runningRun,
      asset.key,
      IntervalSet.fromRange(bounds.end - 1, bounds.end),
    );
  }
  for (const asset of assets) {
    if (asset.check === "none") continue;
    await storage.recordCheckResult({
      runId: backfill,
      assetKey: asset.key,
      checkName: "row_count_positive",
      passed: asset.check === "passed",
      severity: "error",
      ...(asset.check === "failed" ? { description: "0 rows" } : {}),
    });
  }
  return { materializationCalls: calls, partitionsWritten: written, runs: runIds.length };
}
