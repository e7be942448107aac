import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import type { RunEvent } from "../storage/run-event";
import { ExecutionMetrics } from "./execution-metrics";

const event = (type: RunEvent["type"], fields: Partial<RunEvent> = {}): RunEvent => ({
  type,
  level: "info",
  message: type,
  timestamp: new Date(),
  ...fields,
});

/** The value of the series of a counter of `registry` with exactly these labels. */
async function valueOf(
  registry: Registry,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const { values } = await registry.getSingleMetric(name)!.get();
  const wanted = Object.entries(labels);
  return values.find(
    (v) =>
      Object.keys(v.labels).length === wanted.length && wanted.every(([k, x]) => v.labels[k] === x),
  )?.value;
}

describe("ExecutionMetrics", () => {
  it("observes each asset of a step that built several, by outcome, and no step without a duration", async () => {
    const registry = new Registry();
    const metrics = new ExecutionMetrics(registry);
    // One dbt build of two models.
    metrics.observeEvent(
      event("STEP_SUCCESS", {
        assetKey: "emploi/region",
        data: { durationMs: 2_500, assetKeys: ["emploi/region", "emploi/departement"] },
      }),
    );
    metrics.observeEvent(
      event("STEP_FAILURE", { assetKey: "raw/offres", data: { durationMs: 400, cancelled: true } }),
    );
    metrics.observeEvent(event("STEP_FAILURE", { assetKey: "raw/offres", data: {} }));
    const count = async (asset: string, outcome: string) => {
      const { values } = await registry.getSingleMetric("lignee_step_duration_seconds")!.get();
      // A histogram's values name their series (`_bucket`, `_sum`, `_count`).
      return (
        values as { value: number; labels: Record<string, unknown>; metricName?: string }[]
      ).find(
        (v) =>
          v.metricName === "lignee_step_duration_seconds_count" &&
          v.labels.asset === asset &&
          v.labels.outcome === outcome,
      )?.value;
    };
    expect(await count("emploi/region", "success")).toBe(1);
    expect(await count("emploi/departement", "success")).toBe(1);
    expect(await count("raw/offres", "cancelled")).toBe(1);
    expect(await count("raw/offres", "failure")).toBeUndefined();
  });

  it("counts rows from the metadata a materialisation reports, and runs by outcome", async () => {
    const registry = new Registry();
    const metrics = new ExecutionMetrics(registry);
    const materialized = (metadata: Record<string, unknown>) =>
      metrics.observeEvent(
        event("MATERIALIZATION", { assetKey: "a", data: { partitions: 2, metadata } }),
      );
    materialized({ rows: 10 });
    materialized({ rows_affected: "5" });
    materialized({ build_rows_affected: 7, build_partitions: 2 });
    materialized({ rows: "not a number", bytes: 100 });
    metrics.observeEvent(event("RUN_START"));
    metrics.observeEvent(event("RUN_CANCELED"));
    metrics.leasesExpired([{ status: "QUEUED" }, { status: "QUEUED" }]);
    expect(await valueOf(registry, "lignee_materialized_rows_total", { asset: "a" })).toBe(22);
    expect(await valueOf(registry, "lignee_materialized_partitions_total", { asset: "a" })).toBe(8);
    expect(await valueOf(registry, "lignee_runs_started_total", {})).toBe(1);
    expect(await valueOf(registry, "lignee_runs_finished_total", { outcome: "CANCELED" })).toBe(1);
    expect(await valueOf(registry, "lignee_lease_expiries_total", { outcome: "QUEUED" })).toBe(2);
  });
});
