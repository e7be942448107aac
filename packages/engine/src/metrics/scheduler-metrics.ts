import type { Counter, Histogram, Registry } from "prom-client";
import { prom } from "./prom";

/** What one scheduler evaluation reports, as far as metrics are concerned. */
export interface EvaluationSummary {
  readonly schedules: readonly { readonly runIds: readonly string[] }[];
  readonly sensors: readonly { readonly runIds: readonly string[] }[];
  readonly eager: { readonly runId: string | undefined } | undefined;
  readonly errors: readonly string[];
}

/** What a scheduler process counts: its evaluations, their duration and errors, the runs they asked for. */
export class SchedulerMetrics {
  private readonly evaluations: Counter<"outcome">;
  private readonly duration: Histogram;
  private readonly requested: Counter<"source">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.evaluations = new (prom().Counter)({
      name: "lignee_scheduler_evaluations_total",
      help: "Evaluations of schedules, sensors and eager automation (or of eager automation alone, after a committed change) by this process, by outcome (ok, or error when something failed to evaluate).",
      labelNames: ["outcome"],
      registers,
    });
    this.duration = new (prom().Histogram)({
      name: "lignee_scheduler_evaluation_duration_seconds",
      help: "Duration of one evaluation of every schedule, sensor and eager automation (or of eager automation alone, after a committed change).",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.requested = new (prom().Counter)({
      name: "lignee_scheduler_runs_requested_total",
      help: "Runs queued by this process's evaluations, by what asked for them (schedule, sensor, eager).",
      labelNames: ["source"],
      registers,
    });
  }

  evaluated(report: EvaluationSummary, durationMs: number): void {
    this.evaluations.inc({ outcome: report.errors.length === 0 ? "ok" : "error" });
    this.duration.observe(durationMs / 1000);
    const count = (list: readonly { readonly runIds: readonly string[] }[]): number =>
      list.reduce((n, x) => n + x.runIds.length, 0);
    this.requested.inc({ source: "schedule" }, count(report.schedules));
    this.requested.inc({ source: "sensor" }, count(report.sensors));
    this.requested.inc({ source: "eager" }, report.eager?.runId !== undefined ? 1 : 0);
  }
}
