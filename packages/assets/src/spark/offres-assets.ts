import path from "node:path";
import { defineSparkAsset, type AssetDefinition } from "@lignee/engine";
import { OffresLoadError } from "../offres/errors";
import { offresDayObject, offresKey } from "../offres/raw-files";
import { OFFRES_PARTITIONS } from "../offres/partitions";
import type { JobOfferResources } from "../resources";
import { lakeLocation, sparkPath } from "./lake";

/** The asset keys of the Spark part of the pipeline. */
export const SILVER_OFFRES_ASSET = "silver/offres";
export const OFFRES_PAR_MOIS_ASSET = "gold/offres_par_mois_rome_departement";

/** The table the aggregate writes (see spark/jobs/offres_par_mois_rome_departement.py). */
const AGGREGATE_TABLE = "emploi.offres_par_mois_rome_departement";

/**
 * The Spark assets of the job-offer pipeline, their jobs in `jobsDir` (spark/jobs):
 * `silver/offres`, each day's raw offers as typed Parquet in the lake, and
 * `gold/offres_par_mois_rome_departement`, the offers of all days counted per month × ROME ×
 * département, written to the warehouse.
 */
export function sparkOffresAssets(options: {
  readonly jobsDir: string;
  readonly python: string;
  readonly jarsDir: string;
}): AssetDefinition<JobOfferResources>[] {
  const common = { python: options.python, jarsDir: options.jarsDir, group: "lake" };
  const silver = defineSparkAsset<JobOfferResources>({
    ...common,
    key: SILVER_OFFRES_ASSET,
    description:
      "The day's raw offers (the NDJSON of raw/offres in the raw store) as typed Parquet in the lake (LIGNEE_LAKE), partitioned by day; a run replaces its days only. Built by Spark, one job for a range of days.",
    script: path.join(options.jobsDir, "silver_offres.py"),
    partitions: OFFRES_PARTITIONS,
    deps: ["raw/offres"],
    // A range is one job: one JVM start for any number of days.
    backfillPolicy: "single-run",
    async args(ctx) {
      const r = ctx.resources;
      const files: string[] = [];
      for (const day of ctx.partitionKeys) {
        const object = await offresDayObject(r.rawStore, day, { signal: ctx.signal });
        if (!object) {
          const where = r.rawStore.describe(offresKey(day));
          throw new OffresLoadError("FILE_MISSING", `${where}: no such file`, where);
        }
        files.push(sparkPath(r.rawStore.describe(object.key)));
      }
      return [lakeLocation(r.rawStore.url, r.dataDir), ...files];
    },
  });
  const aggregate = defineSparkAsset<JobOfferResources>({
    ...common,
    key: OFFRES_PAR_MOIS_ASSET,
    description: `The offers of every day of silver/offres per month × ROME code × département (${AGGREGATE_TABLE}), computed by Spark over the whole lake and written to the warehouse through JDBC.`,
    script: path.join(options.jobsDir, "offres_par_mois_rome_departement.py"),
    deps: [SILVER_OFFRES_ASSET],
    checkSpecs: [
      {
        name: "total_matches_silver",
        severity: "error",
        description: `The offers counted in ${AGGREGATE_TABLE}, read back from the warehouse, are as many as silver/offres holds.`,
      },
    ],
    args: (ctx) => [lakeLocation(ctx.resources.rawStore.url, ctx.resources.dataDir)],
    env: (ctx) => ({ WAREHOUSE_URL: ctx.resources.warehouse.databaseUrl }),
    async result(ctx, job) {
      const { rows } = await ctx.resources.warehouse.pool.query<{ total: string | null }>(
        `SELECT sum(nb_offres) AS total FROM ${AGGREGATE_TABLE}`,
      );
      const total = Number(rows[0]?.total ?? 0);
      const silverRows = Number(job.metadata.silver_rows);
      const passed = total === silverRows;
      return {
        checks: [
          {
            name: "total_matches_silver",
            passed,
            severity: "error",
            description: passed
              ? `${total} offers, as many as silver/offres holds`
              : `${total} offers in ${AGGREGATE_TABLE} for ${silverRows} in silver/offres`,
            metadata: { table_total: total, silver_rows: silverRows },
          },
        ],
      };
    },
  });
  return [silver, aggregate];
}
