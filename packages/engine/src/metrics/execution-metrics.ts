import type { Counter, Histogram, Registry } from "prom-client";
import { prom } from "./prom";
import type { RunEvent } from "../storage/run-event";
import { ROW_COUNT_KEYS } from "../storage/metrics/latest-rows";

/**
 * Step durations from 100 ms to 2 h (dbt builds take seconds, a day's collection minutes): ten
 * buckets, as each asset a process executed has its own series of them.
 */
export const STEP_DURATION_BUCKETS = [0.1, 1, 5, 15, 60, 300, 900, 1800, 3600, 7200];

/**
 * What the process executing runs (a worker, `lignee dev`) counts as it goes, read from the
 * events its runs emit and from its reaper: step durations per asset, rows and partitions
 * materialised, runs started and finished, leases it found expired. Counters start at zero with
 * the process (Prometheus' `rate` and `increase` handle restarts).
 */
export class ExecutionMetrics {
  private readonly stepDuration: Histogram<"asset" | "outcome">;
  private readonly rows: Counter<"asset">;
  private readonly partitions: Counter<"asset">;
  private readonly started: Counter;
  private readonly finished: Counter<"outcome">;
  private readonly leaseExpiries: Counter<"outcome">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.stepDuration = new (prom().Histogram)({
      name: "lignee_step_duration_seconds",
      help: "Duration of the steps this process executed, per asset (each asset of a step that builds several, e.g. one dbt build) and outcome (success, failure, cancelled).",
      labelNames: ["asset", "outcome"],
      buckets: STEP_DURATION_BUCKETS,
      registers,
    });
    this.rows = new (prom().Counter)({
      name: "lignee_materialized_rows_total",
      help: "Rows materialised by this process, per asset, as the materialisations report them (metadata rows, row_count or rows_affected).",
      labelNames: ["asset"],
      registers,
    });
    this.partitions = new (prom().Counter)({
      name: "lignee_materialized_partitions_total",
      help: "Partitions materialised by this process, per asset (an unpartitioned asset counts one per materialisation).",
      labelNames: ["asset"],
      registers,
    });
    this.started = new (prom().Counter)({
      name: "lignee_runs_started_total",
      help: "Runs this process started executing.",
      registers,
    });
    this.finished = new (prom().Counter)({
      name: "lignee_runs_finished_total",
      help: "Runs this process finished executing, by outcome (SUCCESS, FAILURE, CANCELED).",
      labelNames: ["outcome"],
      registers,
    });
    this.leaseExpiries = new (prom().Counter)({
      name: "lignee_lease_expiries_total",
      help: "Runs whose lease this process found expired (their worker stopped heartbeating), by what became of them (QUEUED again, FAILURE, CANCELED).",
      labelNames: ["outcome"],
      registers,
    });
  }

  /** Sees one event of a run this process executes. */
  observeEvent(event: RunEvent): void {
    switch (event.type) {
      case "RUN_START":
        this.started.inc();
        return;
      case "RUN_SUCCESS":
        this.finished.inc({ outcome: "SUCCESS" });
        return;
      case "RUN_FAILURE":
        this.finished.inc({ outcome: "FAILURE" });
        return;
      case "RUN_CANCELED":
        this.finished.inc({ outcome: "CANCELED" });
        return;
      case "STEP_SUCCESS":
      case "STEP_FAILURE":
        this.observeStep(event);
        return;
      case "MATERIALIZATION":
        this.observeMaterialization(event);
        return;
      default:
        return;
    }
  }

  /** Sees the runs a reaper of this process found with an expired lease. */
  leasesExpired(runs: readonly { readonly status: string }[]): void {
    for (const run of runs) this.leaseExpiries.inc({ outcome: run.status });
  }

  private observeStep(event: RunEvent): void {
    const ms = event.data?.durationMs;
    if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) return;
    // A step that only evaluated checks says nothing of how long materialising takes.
    if (event.data?.checksOnly === true) return;
    const outcome =
      event.type === "STEP_SUCCESS"
        ? "success"
        : event.data?.cancelled === true
          ? "cancelled"
          : "failure";
    const listed = event.data?.assetKeys;
    const assets = Array.isArray(listed)
      ? listed.filter((k): k is string => typeof k === "string")
      : event.assetKey !== undefined
        ? [event.assetKey]
        : [];
    for (const asset of assets) this.stepDuration.observe({ asset, outcome }, ms / 1000);
  }

  private observeMaterialization(event: RunEvent): void {
    const asset = event.assetKey;
    if (asset === undefined) return;
    const partitions = event.data?.partitions;
    if (typeof partitions === "number" && partitions > 0)
      this.partitions.inc({ asset }, partitions);
    const rows = rowCountOf(event.data?.metadata);
    if (rows !== undefined) this.rows.inc({ asset }, rows);
  }
}

/** The row count a materialisation's metadata reports, if any (see `ROW_COUNT_KEYS`). */
function rowCountOf(metadata: unknown): number | undefined {
  if (typeof metadata !== "object" || metadata === null) return undefined;
  const entries = metadata as Record<string, unknown>;
  for (const key of [...ROW_COUNT_KEYS, "build_rows_affected"]) {
    const n = Number(entries[key]);
    if (entries[key] !== undefined && entries[key] !== null && Number.isFinite(n) && n >= 0)
      return n;
  }
  return undefined;
}
