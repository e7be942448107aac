import { loadavg } from "node:os";
import { alertsBench } from "./ops-alerts";
import { opsChecks } from "./ops-checks";
import { freshnessBenchmark } from "./ops-fresh";
import { maintenanceFigures } from "./ops-maintenance";
import { benchMetrics } from "./ops-metrics";
import { opsQuality } from "./ops-quality";
import { machineInfo, writeResults } from "./support";

/**
 * `pnpm bench ops [part…]`: the operations layer. Targets: a check costs ≤ 5 ms per partition
 * beyond its own query; 1,000 alert events reach a local webhook at ≥ 200/s with no duplicate;
 * a `/metrics` scrape with 2,000 assets takes ≤ 50 ms. Also measured: freshness over 2,000
 * assets, the job-offer quality suite on 50,000-offer days, maintenance (gzip of a day, pruning).
 * Writes `bench/results/ops.json`.
 */
const PARTS: Record<string, () => Promise<Record<string, number>>> = {
  checks: () => opsChecks(),
  alerts: () => alertsBench(),
  metrics: async () => ({ ...(await benchMetrics((m) => console.error(m))) }),
  freshness: () => freshnessBenchmark(),
  quality: () => opsQuality(),
  maintenance: () => maintenanceFigures(),
};

interface Target {
  readonly part: string;
  readonly figure: string;
  readonly target: number;
  readonly comparison: "≤" | "≥";
}

const TARGETS: readonly Target[] = [
  { part: "checks", figure: "check_overhead_per_partition_ms", target: 5, comparison: "≤" },
  { part: "alerts", figure: "alert_events_per_second", target: 200, comparison: "≥" },
  { part: "alerts", figure: "alert_duplicates", target: 0, comparison: "≤" },
  { part: "metrics", figure: "scrape_p50_ms", target: 50, comparison: "≤" },
];

export async function run(args: readonly string[]): Promise<void> {
  const unknown = args.filter((a) => !Object.hasOwn(PARTS, a));
  if (unknown.length > 0) {
    console.error(`unknown part(s) ${unknown.join(", ")}: ${Object.keys(PARTS).join(", ")}`);
    process.exit(2);
  }
  const chosen = args.length > 0 ? args : Object.keys(PARTS);
  const loadBefore = loadavg()[0]!;
  const figures: Record<string, Record<string, number>> = {};
  for (const part of chosen) {
    console.error(`ops: ${part}…`);
    figures[part] = await PARTS[part]!();
  }
  const targets = TARGETS.filter((t) => figures[t.part]?.[t.figure] !== undefined).map((t) => {
    const value = figures[t.part]![t.figure]!;
    const met = t.comparison === "≤" ? value <= t.target : value >= t.target;
    return { ...t, value, met };
  });
  const file = await writeResults("ops", {
    machine: {
      ...machineInfo(),
      loadAverage1mBefore: loadBefore,
      loadAverage1mAfter: Math.round(loadavg()[0]! * 100) / 100,
    },
    date: new Date().toISOString(),
    figures,
    targets,
  });
  for (const t of targets)
    console.log(
      `${t.met ? "met    " : "NOT MET"} ${t.part}.${t.figure} = ${t.value} (target ${t.comparison} ${t.target})`,
    );
  console.log(`results: ${file}`);
}
