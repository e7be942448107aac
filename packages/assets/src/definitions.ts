import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  defineAsset,
  Definitions,
  loadDbtAssets,
  type RawStore,
  retryPolicy,
  sparkSettings,
  type AssetDefinition,
  type FreshnessPolicyInput,
  type MaterializeResult,
} from "@lignee/engine";
import { dailyOffresSchedule, offresFilesSensor, SOURCE_FILE_TAG } from "./automation";
import { collectAndLoadDay } from "./offres/collect-and-load";
import { creationProfile } from "./offres/creation-profile";
import { OffresLoadError } from "./offres/errors";
import { loadOffresObject } from "./offres/loader";
import { OFFRES_PREFIX, offresDayObject, offresKey, rawObjectVersion } from "./offres/raw-files";
import { loadCog } from "./reference/cog";
import { loadNaf } from "./reference/naf";
import { loadRome, readShippedRome } from "./reference/rome";
import { createResources, type JobOfferResources } from "./resources";
import { configuredRawStore, numberFromEnv, rawStoreFolder } from "./config";
import { loadSireneEtablissements } from "./sirene/loader";
import { sireneSource } from "./sirene/source-file";
import { OFFRES_PARTITIONS } from "./offres/partitions";
import { creationCheckResult, DATE_CREATION_IN_DAY, jobOfferChecks } from "./quality/checks";
import { sparkOffresAssets } from "./spark/offres-assets";

export { OFFRES_START } from "./offres/partitions";

/**
 * The job-offer warehouse: daily France Travail offers and the NAF, ROME, COG and SIRENE
 * reference data, loaded into the `raw` schema (the dbt models build on them).
 */
const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));

type Asset = AssetDefinition<JobOfferResources>;

/** Yesterday's offers (J-1) must be collected and modelled by 07:00, Paris time. */
const J1_BY_7_PARIS = { deadline: "0 7 * * *", timezone: "Europe/Paris" } as const;
/** The dbt models with a freshness policy, by asset key. */
const MODEL_FRESHNESS: Readonly<Record<string, FreshnessPolicyInput>> = {
  "emploi/fait_offre_emploi": J1_BY_7_PARIS,
};

const offres: Asset = defineAsset<JobOfferResources>({
  key: "raw/offres",
  group: "collecte",
  // One run of the pool at a time: two collections would share the API's quota.
  tags: { source: "france_travail", pool: "france_travail" },
  description:
    "Offers created on the day (Europe/Paris), collected from France Travail and loaded into raw.offres. A run tagged source=file loads the day's existing file instead of collecting it.",
  codeVersion: "1",
  partitions: OFFRES_PARTITIONS,
  retryPolicy: retryPolicy({ maxRetries: 2, delayMs: 30_000 }),
  // Each day is a collection from the API (about 334 calls): more than a week at once is asked for.
  confirmAbove: 7,
  freshness: J1_BY_7_PARIS,
  // Evaluated by each load on the rows it writes (see quality/checks.ts).
  checkSpecs: [DATE_CREATION_IN_DAY],
  async materialize(ctx): Promise<MaterializeResult> {
    const day = ctx.partitionKey!;
    const r = ctx.resources;
    if (ctx.runTags.source === SOURCE_FILE_TAG.source) {
      // The file is loaded as it is (the raw-folder sensor's runs): no API call.
      // The day's file, or its compressed copy once the maintenance job has gzipped it.
      const object = await offresDayObject(r.rawStore, day, { signal: ctx.signal });
      if (!object) {
        // Named by its key (served over the API), not by a path of this machine.
        const key = offresKey(day);
        throw new OffresLoadError("FILE_MISSING", `${key}: no such file`, r.rawStore.describe(key));
      }
      const version = await rawObjectVersion(r.rawStore, object);
      // Named by its key (its path in the data folder): run logs are served over the API.
      ctx.log.info(`loading the existing file ${object.key}`);
      const loaded = await loadOffresObject(r.warehouse, r.rawStore, object.key, day, {
        signal: ctx.signal,
        object,
      });
      return {
        metadata: {
          rows: loaded.rows,
          bytes: loaded.bytes,
          load_ms: loaded.durationMs,
          duration_ms: loaded.durationMs,
          source: "file",
          // The key (relative to the data folder): metadata is served over the API.
          file: object.key,
          file_version: version,
        },
        checks: [creationCheckResult(loaded.creation)],
      };
    }
    // Loaded while collected: each offer goes into the day's open transaction as it arrives,
    // committed once the collection is complete.
    const { collected, loaded, commitMs } = await collectAndLoadDay(day, {
      dataDir: r.dataDir,
      store: r.rawStore,
      client: r.franceTravail,
      warehouse: r.warehouse,
      // Cut the day where an earlier day's offers were evenly shared: fewer probes wasted.
      // Only a saving: whatever stops reading it (an older table's shape, say), cut evenly.
      profile: await creationProfile(r.warehouse.pool, day).catch((error: unknown) => {
        ctx.log.warn(
          `${day}: cutting the day evenly in time, as the earlier days' creation times could not be read: ${error instanceof Error ? error.message : String(error)}`,
        );
        return [];
      }),
      signal: ctx.signal,
      log: (line) => ctx.log.info(line),
    });
    ctx.log.info(
      `${day}: ${loaded.rows} offers loaded (committed ${commitMs} ms after the collection)`,
    );
    return {
      metadata: {
        rows: loaded.rows,
        bytes: collected.bytes,
        api_calls: collected.apiCalls,
        pages: collected.pages,
        retries: collected.retries,
        throttled: collected.throttled,
        offers_reported: collected.totalReported,
        collect_ms: collected.durationMs,
        load_ms: loaded.durationMs,
        commit_ms: commitMs,
        duration_ms: loaded.durationMs,
        source: r.simulator ? "simulator" : "france_travail",
        file: collected.key,
        // What the raw-folder sensor compares with, to leave this file alone.
        file_version: collected.version,
      },
      checks: [creationCheckResult(loaded.creation)],
    };
  },
});

const naf: Asset = defineAsset<JobOfferResources>({
  key: "raw/naf",
  group: "referentiels",
  tags: { source: "insee" },
  description: "NAF rév. 2, 5 levels (sections to sous-classes).",
  codeVersion: "1",
  async materialize(ctx) {
    const stats = await loadNaf(ctx.resources.warehouse, { signal: ctx.signal });
    return { metadata: { ...stats } };
  },
});

const rome: Asset = defineAsset<JobOfferResources>({
  key: "raw/rome",
  group: "referentiels",
  tags: { source: "france_travail" },
  description: "ROME v3: grands domaines, domaines professionnels, métiers.",
  codeVersion: "1",
  async materialize(ctx) {
    const r = ctx.resources;
    const shipped = readShippedRome();
    // With real credentials the métiers come from the API; the two upper levels (stable,
    // not served by the offers API) from the shipped files.
    const lists = r.simulator
      ? shipped
      : { ...shipped, metiers: await r.franceTravail.metiers(ctx.signal) };
    const stats = await loadRome(r.warehouse, lists, { signal: ctx.signal });
    return { metadata: { ...stats, source: r.simulator ? "shipped files" : "france_travail api" } };
  },
});

const cog: Asset = defineAsset<JobOfferResources>({
  key: "raw/cog",
  group: "referentiels",
  tags: { source: "insee" },
  description:
    "Code officiel géographique: régions, départements, communes and arrondissements municipaux with population.",
  codeVersion: "1",
  async materialize(ctx) {
    const stats = await loadCog(ctx.resources.warehouse, { signal: ctx.signal });
    return { metadata: { ...stats } };
  },
});

const sirene: Asset = defineAsset<JobOfferResources>({
  key: "raw/sirene",
  group: "referentiels",
  tags: { source: "insee" },
  description:
    "Active establishments of INSEE's SIRENE StockEtablissement file (data/raw/sirene/StockEtablissement*.zip|csv); a synthetic file in the same format when none is there.",
  codeVersion: "1",
  async materialize(ctx) {
    const r = ctx.resources;
    const source = await sireneSource(r.dataDir, {
      syntheticRows: numberFromEnv("LIGNEE_SIRENE_SYNTHETIC_ROWS", 20_000),
      signal: ctx.signal,
      store: r.rawStore,
    });
    if (source.synthetic)
      ctx.log.warn(
        `no StockEtablissement file in data/raw/sirene: loading synthetic ${path.relative(r.dataDir, source.file)}`,
      );
    const stats = await loadSireneEtablissements(r.warehouse, source.object ?? source.file, {
      signal: ctx.signal,
    });
    return {
      metadata: {
        ...stats,
        source: source.synthetic ? "synthetic" : "insee",
        file: source.object?.key ?? path.relative(r.dataDir, source.file),
      },
    };
  },
});

/**
 * The dbt models of `dbt/` (the warehouse, schema `emploi`), built by one `dbt build` per run.
 * Eager automation keeps them in step with the raw data: when a day of offers (or a reference
 * table) is loaded, `lignee scheduler` queues the models downstream of it.
 */
const DBT_PROJECT_DIR = process.env.LIGNEE_DBT_PROJECT_DIR ?? path.join(REPO_ROOT, "dbt");
/**
 * The warehouse's URL for dbt, whose sessions sort and hash with 64 MB (`work_mem`) instead of
 * PostgreSQL's default 4 MB: the tests of a first build group 900,000 offer ids (`unique`),
 * which spilled to disk in 21 batches (0.75 s; 0.49 s in memory). Only dbt's sessions: the
 * platform's own small queries cost more with it (PostgreSQL sizes a sort's memory blocks by it).
 */
function withDbtSessionSettings(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const options = url.searchParams.get("options");
  url.searchParams.set("options", [options, "-c work_mem=64MB"].filter(Boolean).join(" "));
  return url.toString();
}

const models: readonly Asset[] = (
  await loadDbtAssets<JobOfferResources>({
    projectDir: DBT_PROJECT_DIR,
    executable: process.env.LIGNEE_DBT ?? path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt"),
    target: process.env.LIGNEE_DBT_TARGET ?? "dev",
    connectionUrl: (r) => withDbtSessionSettings(r.warehouse.databaseUrl),
    // The day of the daily models: each day's own row count is recorded after a build.
    partitionColumn: "jour",
  })
).map((model) => ({
  ...model,
  automation: "eager" as const,
  freshness: MODEL_FRESHNESS[model.key] ?? model.freshness,
}));

/**
 * The lake, built by Spark (spark/jobs/, PySpark installed by scripts/spark-setup.sh):
 * silver/offres, each day's offers as Parquet, and the warehouse's monthly aggregate over it.
 */
const spark = sparkSettings(REPO_ROOT);
const sparkAssets: readonly Asset[] = sparkOffresAssets({
  jobsDir: path.join(REPO_ROOT, "spark", "jobs"),
  python: spark.python,
  jarsDir: spark.jarsDir,
});

export const assets: readonly Asset[] = [offres, naf, rome, cog, sirene, ...models, ...sparkAssets];

export default Definitions.create<JobOfferResources>({
  assets,
  // The quality suite (see docs/quality.md); only the checks of the assets present (another
  // dbt project, LIGNEE_DBT_PROJECT_DIR, may have no fait_offre_emploi).
  checks: jobOfferChecks().filter((c) => assets.some((a) => a.key === c.asset)),
  resources: createResources,
  schedules: [dailyOffresSchedule],
  sensors: [offresFilesSensor()],
  pools: { france_travail: 1 },
  // What the dbt and Spark assets are read from: a new or changed model or job reloads them in
  // `lignee dev`.
  watch: [
    ...["models", "macros", "dbt_project.yml"].map((f) => path.join(DBT_PROJECT_DIR, f)),
    // A changed Spark job changes its asset's code version.
    path.join(REPO_ROOT, "spark", "jobs"),
  ],
  // The built-in maintenance job (daily 03:00 Paris) gzips the days of offers untouched for a
  // week; the loaders and the raw-folder sensor read them as they are.
  maintenance: {
    rawFiles: [
      {
        // The raw store's folder of offers: this machine's data folder, or a bucket's (made when
        // the job runs, not when the definitions load).
        ...offresMaintenanceFolder(rawStoreFolder()),
        pattern: "offres-*.ndjson",
        compressAfterDays: 7,
        label: "raw/offres",
      },
    ],
  },
});

/** Where the maintenance job finds the days of offers: a folder of this machine, or a store's. */
function offresMaintenanceFolder(
  folder: string | undefined,
): { dir: string } | { store: () => RawStore; prefix: string } {
  return folder !== undefined
    ? { dir: path.join(folder, "raw", "offres") }
    : { store: configuredRawStore, prefix: OFFRES_PREFIX };
}
