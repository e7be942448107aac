import type { Counter, Gauge, Registry } from "prom-client";
import { prom } from "./prom";
import type { MetricsStore } from "../storage/metrics/postgres-metrics-store";

/** How far behind its freshness policy an asset is. */
export interface FreshnessLag {
  readonly asset: string;
  /** Seconds the asset has been overdue (0 while it is fresh); null: never materialised, exported as +Inf. */
  readonly lagSeconds: number | null;
}

/** Alert deliveries in one status on one channel (rows of the deliveries table, counted). */
export interface AlertDeliveryCount {
  readonly channel: string;
  /** `delivered`, `failed` (to be retried) or `dead` (given up). */
  readonly status: string;
  readonly count: number;
}

export interface StorageMetricsOptions {
  readonly store: MetricsStore;
  /**
   * Each asset's freshness lag, read at each scrape; when given, `lignee_asset_freshness_lag_seconds`
   * is exported.
   */
  readonly freshnessLags?: () => Promise<readonly FreshnessLag[]>;
  /** Alert deliveries by channel and status; when given, `lignee_alert_deliveries_total` is exported. */
  readonly alertDeliveries?: () => Promise<readonly AlertDeliveryCount[]>;
  readonly log?: (message: string) => void;
}

/** One read of the metrics' sources; `undefined` where a source failed. */
interface Snapshot {
  readonly runs?: Map<string, number>;
  readonly queue?: { depth: number; oldestAgeSeconds: number };
  readonly rows?: Map<string, number>;
  readonly checks?: Awaited<ReturnType<MetricsStore["checkOutcomes"]>>;
  readonly freshness?: readonly FreshnessLag[];
  readonly alerts?: readonly AlertDeliveryCount[];
}

type Source = keyof Snapshot;

/**
 * The metrics read from storage at scrape time, never kept anywhere else: runs by status, the
 * queue, rows per asset, check outcomes, and — when their providers are given — freshness lags
 * and alert deliveries. Each source is read by one aggregate query; one that fails leaves its
 * metrics out of that scrape and `lignee_metrics_source_up{source}` at 0, the others are
 * served.
 */
export class StorageMetrics {
  private readonly runs: Gauge<"status">;
  private readonly queueDepth: Gauge;
  private readonly queueOldest: Gauge;
  private readonly rows: Gauge<"asset">;
  private readonly checks: Gauge<"asset" | "severity" | "outcome">;
  private readonly freshness: Gauge<"asset"> | undefined;
  private readonly alerts: Counter<"channel" | "status"> | undefined;
  private readonly sourceUp: Gauge<"source">;

  constructor(
    private readonly registry: Registry,
    private readonly options: StorageMetricsOptions,
  ) {
    const registers = [registry];
    this.runs = new (prom().Gauge)({
      name: "lignee_runs",
      help: "Runs in each status now (QUEUED, STARTED, SUCCESS, FAILURE, CANCELED…), from storage.",
      labelNames: ["status"],
      registers,
    });
    // Without labels a gauge always shows a value: these are registered only while the queue
    // could be read, so that a lost database never reads as an empty queue.
    this.queueDepth = new (prom().Gauge)({
      name: "lignee_queue_depth",
      help: "Runs queued and waiting for a worker.",
      registers,
    });
    this.queueOldest = new (prom().Gauge)({
      name: "lignee_queue_oldest_age_seconds",
      help: "Seconds since the oldest queued run was queued (0 when none waits).",
      registers,
    });
    this.rows = new (prom().Gauge)({
      name: "lignee_asset_rows",
      help: "Rows reported by each asset's latest materialisation (the partition written last, for a partitioned asset): metadata rows, row_count or rows_affected.",
      labelNames: ["asset"],
      registers,
    });
    this.checks = new (prom().Gauge)({
      name: "lignee_asset_checks",
      help: "Checks of each asset whose latest result (newest evaluation, whichever partition it checked) is this outcome (passed, failed), by severity (error, warn).",
      labelNames: ["asset", "severity", "outcome"],
      registers,
    });
    this.freshness = options.freshnessLags
      ? new (prom().Gauge)({
          name: "lignee_asset_freshness_lag_seconds",
          help: "Seconds each asset with a freshness policy has been overdue (0 while fresh).",
          labelNames: ["asset"],
          registers,
        })
      : undefined;
    this.alerts = options.alertDeliveries
      ? new (prom().Counter)({
          name: "lignee_alert_deliveries_total",
          help: "Alert deliveries by channel and status: pending (not tried yet), retrying (failed at least once), delivered, dead (given up after the last try).",
          labelNames: ["channel", "status"],
          registers,
        })
      : undefined;
    this.sourceUp = new (prom().Gauge)({
      name: "lignee_metrics_source_up",
      help: "1 when the last scrape read this source (runs, queue, rows, checks, freshness, alerts), 0 when reading it failed.",
      labelNames: ["source"],
      registers,
    });
  }

  /** Reads every source (in parallel), then sets every metric at once. */
  async refresh(): Promise<void> {
    const { store } = this.options;
    const readers: Partial<Record<Source, () => Promise<unknown>>> = {
      runs: () => store.runsByStatus(),
      queue: () => store.queueDepth(),
      rows: () => store.latestRowCounts(),
      checks: () => store.checkOutcomes(),
      ...(this.options.freshnessLags ? { freshness: this.options.freshnessLags } : {}),
      ...(this.options.alertDeliveries ? { alerts: this.options.alertDeliveries } : {}),
    };
    const entries = Object.entries(readers) as [Source, () => Promise<unknown>][];
    const settled = await Promise.allSettled(entries.map(([, read]) => read()));
    const snapshot: Record<string, unknown> = {};
    entries.forEach(([source], i) => {
      const outcome = settled[i]!;
      if (outcome.status === "fulfilled") snapshot[source] = outcome.value;
      else this.options.log?.(`metrics: reading ${source} failed: ${String(outcome.reason)}`);
    });
    // Synchronously from here: a concurrent scrape never sees half of this one.
    this.apply(
      snapshot as Snapshot,
      entries.map(([s]) => s),
    );
  }

  private apply(s: Snapshot, sources: readonly Source[]): void {
    for (const source of sources) this.sourceUp.set({ source }, s[source] === undefined ? 0 : 1);
    this.runs.reset();
    for (const [status, n] of s.runs ?? []) this.runs.set({ status }, n);
    this.show(this.queueDepth, "lignee_queue_depth", s.queue !== undefined);
    this.show(this.queueOldest, "lignee_queue_oldest_age_seconds", s.queue !== undefined);
    if (s.queue) {
      this.queueDepth.set(s.queue.depth);
      this.queueOldest.set(s.queue.oldestAgeSeconds);
    }
    this.rows.reset();
    for (const [asset, n] of s.rows ?? []) this.rows.set({ asset }, n);
    this.checks.reset();
    for (const c of s.checks ?? []) {
      const outcome = c.passed ? "passed" : "failed";
      this.checks.set({ asset: c.assetKey, severity: c.severity, outcome }, c.count);
    }
    if (this.freshness) {
      this.freshness.reset();
      for (const f of s.freshness ?? [])
        this.freshness.set(
          { asset: f.asset },
          f.lagSeconds === null ? Number.POSITIVE_INFINITY : Math.max(0, f.lagSeconds),
        );
    }
    if (this.alerts) {
      this.alerts.reset();
      for (const a of s.alerts ?? [])
        this.alerts.inc({ channel: a.channel, status: a.status }, Math.max(0, a.count));
    }
  }

  /** Registers or unregisters a metric of this registry. */
  private show(metric: Gauge, name: string, shown: boolean): void {
    const registered = this.registry.getSingleMetric(name) !== undefined;
    if (shown && !registered) this.registry.registerMetric(metric);
    if (!shown && registered) this.registry.removeSingleMetric(name);
  }
}
