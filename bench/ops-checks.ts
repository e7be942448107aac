import {
  dailyPartitions,
  defineAsset,
  defineCheck,
  Definitions,
  executeRun,
  migrateDatabase,
  PostgresStorage,
  prepareRun,
} from "@lignee/engine";
import { loadavg } from "node:os";
import { openBenchDatabase, stats } from "./support";

/**
 * The overhead of asset checks per partition: a run materialising N daily partitions of a
 * trivial asset (one step per partition, one at a time) with one trivial check (`evaluate`
 * resolves `passed` at once), against the same run without the check. The difference divided
 * by N is what evaluating, recording (one batched write with its latest row) and logging a
 * check costs beyond the check's own query. Target ≤ 5 ms. Repetitions alternate the two runs;
 * figures are p50s.
 *
 * @example
 * const figures = await opsChecks(); // { check_overhead_per_partition_ms: 1.2, … }
 */
export async function opsChecks(
  options: { partitions?: number; repetitions?: number; databaseUrl?: string } = {},
): Promise<Record<string, number>> {
  const n = options.partitions ?? 200;
  const repetitions = options.repetitions ?? 5;
  const db = options.databaseUrl
    ? { url: options.databaseUrl, close: async () => undefined }
    : await openBenchDatabase(() => undefined);
  try {
    await migrateDatabase(db.url);
    const storage = PostgresStorage.connect(db.url);
    try {
      const daily = dailyPartitions({ start: "2020-01-01" });
      const asset = defineAsset({
        key: "bench/days",
        partitions: daily,
        materialize: async () => undefined,
      });
      const check = defineCheck({
        asset: "bench/days",
        name: "trivial",
        evaluate: async () => ({ passed: true }),
      });
      const without = Definitions.create<unknown>({ assets: [asset] }) as Definitions<unknown>;
      const withCheck = Definitions.create<unknown>({
        assets: [asset],
        checks: [check],
      }) as Definitions<unknown>;
      const to = new Date(Date.UTC(2020, 0, n)).toISOString().slice(0, 10);
      const once = async (definitions: Definitions<unknown>): Promise<number> => {
        const prepared = prepareRun(
          definitions,
          { selection: "bench/days", partitions: { kind: "range", from: "2020-01-01", to } },
          new Date(),
        );
        const started = performance.now();
        const result = await executeRun({ definitions, storage, prepared, concurrency: 1 });
        if (result.outcome !== "SUCCESS") throw new Error(`bench run ${result.outcome}`);
        return performance.now() - started;
      };
      await once(withCheck); // warm-up: connections, plans, code paths
      await once(without);
      const base: number[] = [];
      const checked: number[] = [];
      const overhead: number[] = [];
      for (let i = 0; i < repetitions; i++) {
        const a = await once(without);
        const b = await once(withCheck);
        base.push(a / n);
        checked.push(b / n);
        overhead.push((b - a) / n);
      }
      const figures = {
        partitions: n,
        repetitions,
        run_per_partition_without_checks_ms: stats(base).p50,
        run_per_partition_with_check_ms: stats(checked).p50,
        check_overhead_per_partition_ms: stats(overhead).p50,
        // Round trips dominate both runs: a busy machine inflates them (and the difference).
        load_average_1m: Math.round(loadavg()[0]! * 100) / 100,
      };
      console.log(
        `checks: overhead ${figures.check_overhead_per_partition_ms} ms per partition (p50 of ${repetitions} × ${n} partitions; target ≤ 5 ms)`,
      );
      return figures;
    } finally {
      await storage.close();
    }
  } finally {
    await db.close();
  }
}
