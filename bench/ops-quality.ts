import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectionEnv, runDbt } from "@lignee/engine";
import { parisDayWindow } from "../packages/assets/src/france-travail/paris-time";
import { badDay } from "../packages/assets/src/france-travail/simulator/options";
import { startSimulator } from "../packages/assets/src/france-travail/simulator/server";
import { loadOffresDay } from "../packages/assets/src/offres/loader";
import { countMatchesRaw } from "../packages/assets/src/quality/count-matches-raw";
import { dateCreationInDay } from "../packages/assets/src/quality/date-creation-in-day";
import type { QualityResult } from "../packages/assets/src/quality/result";
import { romeAndCommuneKnown } from "../packages/assets/src/quality/rome-and-commune-known";
import { uniqueIds } from "../packages/assets/src/quality/unique-ids";
import { volumeVsWeekdayMedian } from "../packages/assets/src/quality/volume-vs-weekday-median";
import { loadCog } from "../packages/assets/src/reference/cog";
import { loadRome, readShippedRome } from "../packages/assets/src/reference/rome";
import { Warehouse } from "../packages/assets/src/warehouse/warehouse";
import { REPO } from "./offers-file";
import { openBenchDatabase } from "./support";

const OFFERS_PER_WEEKDAY = 50_000;
// Four Thursdays of history, the Wednesday before the bad Thursday, the bad Thursday.
const DAYS = ["2024-07-04", "2024-07-11", "2024-07-18", "2024-07-25", "2024-07-31", "2024-08-01"];
const GOOD = "2024-07-25";
const BAD = "2024-08-01";

/**
 * The job-offer quality suite on weekdays of 50,000 simulated offers (six days loaded, the
 * dbt models built, untimed): the time of each check on a good day and on the simulator's bad
 * day (`badDay`), and of the whole suite for one day. Returns the figures, in ms.
 */
export async function opsQuality(): Promise<Record<string, number>> {
  const log = (m: string): void => console.error(m);
  const db = await openBenchDatabase(log);
  const warehouse = new Warehouse(db.url);
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-bench-quality-"));
  const sim = await startSimulator({
    offersPerWeekday: OFFERS_PER_WEEKDAY,
    faults: { badDays: [badDay(BAD)] },
  });
  try {
    for (const day of DAYS) {
      const file = path.join(dir, `${day}.ndjson`);
      await writeFile(file, `${sim.offerJson(day).join("\n")}\n`);
      await loadOffresDay(warehouse, file, day);
      log(`loaded ${day}`);
    }
    await loadRome(warehouse, readShippedRome());
    await loadCog(warehouse);
    const built = await runDbt(
      ["run", "--select", "+dim_lieu", "dim_rome", "fait_offre_emploi", "--target-path", dir],
      {
        executable: path.join(REPO, ".lignee", "venv", "bin", "dbt"),
        projectDir: path.join(REPO, "dbt"),
        profilesDir: path.join(REPO, "dbt"),
        env: connectionEnv(db.url),
      },
    );
    if (built.exitCode !== 0) throw new Error(`dbt run failed: ${built.errors.join("\n")}`);
    const pool = warehouse.pool;
    const suite: Record<string, (day: string) => Promise<QualityResult>> = {
      volume_vs_weekday_median: (day) => volumeVsWeekdayMedian(pool, day),
      unique_ids: (day) => uniqueIds(pool, day),
      date_creation_in_day: (day) => dateCreationInDay(pool, day, parisDayWindow(day)),
      count_matches_raw: (day) => countMatchesRaw(pool, day),
      rome_and_commune_known: (day) => romeAndCommuneKnown(pool, day),
    };
    const figures: Record<string, number> = { offers_per_weekday: OFFERS_PER_WEEKDAY };
    for (const [label, day] of [
      ["good", GOOD],
      ["bad", BAD],
    ] as const) {
      let total = 0;
      let failed = 0;
      for (const [name, check] of Object.entries(suite)) {
        await check(day); // warm the cache: the day was just loaded, as after a materialisation
        const started = performance.now();
        const result = await check(day);
        const ms = Math.round((performance.now() - started) * 10) / 10;
        figures[`${label}_day_${name}_ms`] = ms;
        total += ms;
        if (!result.passed) failed++;
      }
      figures[`${label}_day_suite_ms`] = Math.round(total * 10) / 10;
      figures[`${label}_day_failed_checks`] = failed;
    }
    console.log(
      `ops-quality: suite on a day of ${OFFERS_PER_WEEKDAY} offers ${figures.good_day_suite_ms} ms (good, ${figures.good_day_failed_checks} failed), ${figures.bad_day_suite_ms} ms (bad day, ${figures.bad_day_failed_checks} of 5 failed)`,
    );
    return figures;
  } finally {
    await sim.close();
    await warehouse.close();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
