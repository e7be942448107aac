import type { Registry } from "prom-client";
import { prom } from "./prom";
import { LigneeError } from "../errors";
import { ExecutionMetrics } from "./execution-metrics";
import { SchedulerMetrics } from "./scheduler-metrics";
import { StorageMetrics, type StorageMetricsOptions } from "./storage-metrics";

export interface MetricsOptions {
  /**
   * Also export the Node.js process's own metrics (CPU, memory, event loop lag, GC), prefixed
   * `lignee_` (default false: tests and benchmarks create many registries in one process).
   */
  readonly processMetrics?: boolean;
}

/** What `GET /metrics` answers. */
export interface RenderedMetrics {
  readonly contentType: string;
  readonly body: string;
}

/**
 * The metrics of one process, in its own prom-client `Registry` (never the global one): what
 * the process executes (`execution`: a worker, `lignee dev`), what its scheduler evaluates
 * (`scheduler`) and, for the server, what storage knows (`readStorage`). Each part is
 * registered the first time it is asked for, so a process exports only what it does.
 *
 * @example
 * const metrics = new Metrics({ processMetrics: true });
 * metrics.readStorage({ store: PostgresMetricsStore.connect(databaseUrl) });
 * const worker = new Worker({ …, onEvent: (e) => metrics.execution.observeEvent(e) });
 * const { contentType, body } = await metrics.render();
 */
export class Metrics {
  readonly registry = new (prom().Registry)();
  private executionMetrics: ExecutionMetrics | undefined;
  private schedulerMetrics: SchedulerMetrics | undefined;
  private storageMetrics: StorageMetrics | undefined;

  constructor(options: MetricsOptions = {}) {
    if (options.processMetrics)
      prom().collectDefaultMetrics({ register: this.registry, prefix: "lignee_" });
  }

  get execution(): ExecutionMetrics {
    this.executionMetrics ??= new ExecutionMetrics(this.registry);
    return this.executionMetrics;
  }

  get scheduler(): SchedulerMetrics {
    this.schedulerMetrics ??= new SchedulerMetrics(this.registry);
    return this.schedulerMetrics;
  }

  /** Exports what storage knows, read at each scrape (once per process: a second call throws). */
  readStorage(options: StorageMetricsOptions): void {
    if (this.storageMetrics)
      throw new LigneeError("RUNTIME", "this process's metrics already read storage");
    this.storageMetrics = new StorageMetrics(this.registry, options);
  }

  /** The Prometheus text exposition of every metric, storage read now. */
  async render(): Promise<RenderedMetrics> {
    await this.storageMetrics?.refresh();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
