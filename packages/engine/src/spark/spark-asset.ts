import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import {
  defineAsset,
  type AssetDefinition,
  type AssetOptions,
  type ConfigOf,
  type ConfigSchema,
  type MaterializeContext,
  type MaterializeResult,
} from "../definitions/asset";
import { jarsIn, runSparkJob, sparkSettings, type SparkJobResult } from "./spark-job";

type Awaitable<T> = T | Promise<T>;

export interface SparkAssetOptions<R, S extends ConfigSchema | undefined = undefined> extends Omit<
  AssetOptions<R, S>,
  "materialize" | "runner"
> {
  /** The PySpark job (absolute path, or relative to the working directory). */
  readonly script: string;
  /** Arguments after the script (e.g. where it reads and writes), from the run's context. */
  readonly args?: (ctx: MaterializeContext<R, ConfigOf<S>>) => Awaitable<readonly string[]>;
  /** Environment of the job (over this process's own), from the run's context. */
  readonly env?: (
    ctx: MaterializeContext<R, ConfigOf<S>>,
  ) => Awaitable<Readonly<Record<string, string>>>;
  /** Further Spark settings (`spark.sql.shuffle.partitions`, …). */
  readonly conf?: Readonly<Record<string, string>>;
  /** PySpark's Python; default `sparkSettings().python` (`LIGNEE_SPARK_PYTHON`). */
  readonly python?: string;
  /** The folder of the jars put on the classpath; default `sparkSettings().jarsDir` (`LIGNEE_SPARK_JARS`). */
  readonly jarsDir?: string;
  /** Default `LIGNEE_SPARK_MASTER`, else `local[*]`. */
  readonly master?: string;
  /** After a cancellation, how long the job gets before its processes are killed (default 5 s). */
  readonly killAfterMs?: number;
  /**
   * What the materialisation records beyond the job's metadata (checks, per-partition
   * metadata, a data version), from what the job reported.
   */
  readonly result?: (
    ctx: MaterializeContext<R, ConfigOf<S>>,
    job: SparkJobResult,
  ) => Awaitable<MaterializeResult>;
}

/**
 * An asset materialised by a PySpark job: `python SCRIPT ARGS` with PySpark's Python, in a
 * process group of its own, on `local[*]` unless `LIGNEE_SPARK_MASTER` or `LIGNEE_SPARK_REMOTE`
 * (Spark Connect) say otherwise, with the jars of `.lignee/spark-jars` (s3a, the PostgreSQL
 * driver) on its classpath. The job gets the partition (key, keys, time window), the run and
 * its config in its environment (`LIGNEE_*`, read by `lignee_spark.Context`); its output lines
 * go to the run's log as they come; the metadata it reports (`lignee_spark.run`, a last line
 * `LIGNEE_RESULT {...}`) becomes the materialisation's, with `spark_job_ms`, and so do each
 * partition's own entries. With `backfillPolicy: "single-run"`, one job (one JVM start) builds a
 * whole range of partitions (`ctx.partitionKeys`). A cancelled run
 * kills the job's processes, its JVM included. Its code version is a hash of the script.
 *
 * @example
 * const silver = defineSparkAsset({
 *   key: "silver/offres",
 *   script: "spark/jobs/silver_offres.py",
 *   partitions: dailyPartitions({ start: "2024-05-23" }),
 *   deps: ["raw/offres"],
 *   args: (ctx) => [rawPath(ctx.partitionKey!), lakePath()],
 * });
 */
export function defineSparkAsset<R = unknown, S extends ConfigSchema | undefined = undefined>(
  options: SparkAssetOptions<R, S>,
): AssetDefinition<R> {
  const script = path.resolve(options.script);
  const { args, env, conf, python, jarsDir, master, killAfterMs, result, ...asset } = options;
  return defineAsset<R, S>({
    ...asset,
    tags: { kind: "spark", ...asset.tags },
    codeVersion: asset.codeVersion ?? scriptVersion(script),
    details:
      asset.details ??
      (async () => ({ code: { language: "python", raw: await readFile(script, "utf8") } })),
    async materialize(ctx) {
      const settings = sparkSettings();
      const jobArgs = args ? await args(ctx) : [];
      const jobEnv = env ? await env(ctx) : {};
      const remote = settings.remote;
      const job = await runSparkJob({
        python: python ?? settings.python,
        script,
        args: jobArgs,
        env: { ...contextEnv(ctx), ...jobEnv },
        master: master ?? settings.master,
        ...(remote ? { remote } : {}),
        jars: remote ? [] : jarsIn(jarsDir ?? settings.jarsDir),
        ...(conf ? { conf } : {}),
        appName: `lignee ${ctx.assetKey} ${ctx.runId}`,
        signal: ctx.signal,
        ...(killAfterMs !== undefined ? { killAfterMs } : {}),
        onStart: (pid) => ctx.log.debug(`spark job ${path.basename(script)} started (pid ${pid})`),
        onLine: (line, level) => ctx.log[level](line),
      });
      const extra = result ? await result(ctx, job) : {};
      const partitionMetadata = extra.partitionMetadata ?? job.partitionMetadata;
      return {
        ...extra,
        metadata: { ...job.metadata, spark_job_ms: job.durationMs, ...extra.metadata },
        ...(partitionMetadata ? { partitionMetadata } : {}),
      };
    },
  });
}

/** What the job reads about its run (see lignee_spark.py's `Context`). */
function contextEnv(ctx: MaterializeContext<unknown, unknown>): Record<string, string> {
  const vars: Record<string, string> = {
    LIGNEE_ASSET_KEY: ctx.assetKey,
    LIGNEE_RUN_ID: ctx.runId,
    LIGNEE_ATTEMPT: String(ctx.attempt),
    LIGNEE_PARTITION_KEYS: JSON.stringify(ctx.partitionKeys),
    LIGNEE_CONFIG: JSON.stringify(ctx.config ?? null),
  };
  if (ctx.partitionKey !== undefined) vars.LIGNEE_PARTITION_KEY = ctx.partitionKey;
  if (ctx.partitionKeyRange) {
    vars.LIGNEE_PARTITION_START = ctx.partitionKeyRange.start;
    vars.LIGNEE_PARTITION_END = ctx.partitionKeyRange.end;
  }
  if (ctx.partitionTimeWindow) {
    vars.LIGNEE_TIME_WINDOW_START = ctx.partitionTimeWindow.start.toISOString();
    vars.LIGNEE_TIME_WINDOW_END = ctx.partitionTimeWindow.end.toISOString();
  }
  return vars;
}

/**
 * The script's content hash (12 hex digits): a changed job makes its asset's data stale. A
 * missing script is `missing` (materialising it fails with its path).
 */
function scriptVersion(script: string): string {
  try {
    return createHash("sha256").update(readFileSync(script)).digest("hex").slice(0, 12);
  } catch {
    return "missing";
  }
}
