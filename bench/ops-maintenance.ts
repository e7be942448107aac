import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { gzipFileAtomically, migrateDatabase, runMaintenance } from "@lignee/engine";
import { generateDay } from "../packages/assets/src/france-travail/simulator/generate-day";
import { OfferGenerator } from "../packages/assets/src/france-travail/simulator/offer-generator";
import { openBenchDatabase } from "./support";

/** A full simulated day (the simulator's default weekday volume). */
const OFFERS = 50_000;
/** Run events of runs ended long ago, to prune. */
const OLD_RUNS = 100;
const EVENTS_PER_RUN = 2_000;

/**
 * The maintenance job's figures: gzip of one simulated day of offers (size, ratio, speed), and
 * pruning 200,000 old run events in batches then VACUUM (ANALYZE) (rows per second).
 */
export async function maintenanceFigures(
  log: (message: string) => void = (m) => console.error(m),
): Promise<Record<string, number>> {
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-bench-maint-"));
  const db = await openBenchDatabase(log);
  try {
    const file = path.join(dir, "offres-2024-08-01.ndjson");
    const offers = generateDay(
      new OfferGenerator(1),
      { seed: 1, offersPerDay: () => OFFERS },
      "2024-08-01",
    );
    await writeFile(file, offers.map((o) => `${JSON.stringify(o.offer)}\n`).join(""));
    let started = performance.now();
    const gz = await gzipFileAtomically(file);
    const gzipSeconds = (performance.now() - started) / 1000;
    if (!gz.compressed) throw new Error(`not compressed: ${gz.reason}`);

    await migrateDatabase(db.url);
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      await pool.query(
        `INSERT INTO lignee.runs (id, status, selection, asset_keys, created_at, started_at, ended_at)
         SELECT 'old-' || g, 'SUCCESS', 'x', '[]', now() - interval '60 days',
                now() - interval '60 days', now() - interval '60 days'
           FROM generate_series(1, $1::int) g`,
        [OLD_RUNS],
      );
      await pool.query(
        `INSERT INTO lignee.events (run_id, type, level, message, timestamp)
         SELECT 'old-' || (1 + g % $1::int), 'LOG', 'info',
                'collected ' || g || ' offers of 2024-08-01 in 12 calls', now() - interval '60 days'
           FROM generate_series(1, $2::int) g`,
        [OLD_RUNS, OLD_RUNS * EVENTS_PER_RUN],
      );
      const config = {
        schedule: undefined,
        eventsRetentionDays: 30,
        sensorTicksRetentionDays: 7,
        auditRetentionDays: 365,
        rawFiles: [],
      };
      started = performance.now();
      const report = await runMaintenance({ pool, config, dryRun: false });
      const maintenanceSeconds = (performance.now() - started) / 1000;
      const figures = {
        offers_per_day: OFFERS,
        day_mb: round(gz.bytesBefore / 1e6, 1),
        day_gz_mb: round(gz.bytesAfter / 1e6, 2),
        gzip_ratio: round(gz.bytesBefore / gz.bytesAfter, 1),
        gzip_mb_per_s: round(gz.bytesBefore / 1e6 / gzipSeconds, 1),
        pruned_events: report.events.rows,
        prune_and_vacuum_s: round(maintenanceSeconds, 2),
        pruned_events_per_s: Math.round(report.events.rows / maintenanceSeconds),
        pruned_row_mb: round(report.bytesFreed.databaseRows / 1e6, 1),
      };
      log(
        `maintenance: a day of ${OFFERS} offers ${figures.day_mb} MB → ${figures.day_gz_mb} MB gzip (${figures.gzip_ratio}×, ${figures.gzip_mb_per_s} MB/s); ` +
          `${figures.pruned_events} events pruned + VACUUM (ANALYZE) in ${figures.prune_and_vacuum_s} s (${figures.pruned_events_per_s}/s)`,
      );
      return figures;
    } finally {
      await pool.end();
    }
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
