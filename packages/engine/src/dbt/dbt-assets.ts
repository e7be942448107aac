import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { copyFile, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import {
  defineAsset,
  type AssetDefinition,
  type AssetGroupRunner,
  type GroupMaterializeContext,
  type GroupMaterializeResult,
} from "../definitions/asset";
import { NO_RETRY, type RetryPolicy } from "../definitions/retry-policy";
import { LigneeError } from "../errors";
import { dailyPartitions } from "../partitions/definition";
import { checkSpecsOf, testChecks } from "./dbt-checks";
import { runDbt, type DbtLogLine } from "./dbt-cli";
import { dbtWarmEnabled, prepareDbtWarm, runDbtWarm } from "./warm-dbt";
import { keepManifest, modelDetails } from "./model-details";
import { partitionRowCounts } from "./partition-row-counts";
import { metaOf, readManifest, testedModel, type DbtManifest, type ManifestNode } from "./manifest";
import { readRunResults, type RunResult } from "./run-results";

export interface DbtAssetsOptions<R> {
  /** The dbt project folder (holding dbt_project.yml). */
  readonly projectDir: string;
  /** Where profiles.yml is; default: the project folder. */
  readonly profilesDir?: string;
  /** The dbt executable. */
  readonly executable: string;
  /** dbt target (default `dev`). */
  readonly target?: string;
  /** Asset keys are `<keyPrefix>/<model>` (default `emploi`). */
  readonly keyPrefix?: string;
  /** PostgreSQL URL dbt connects to, from the run's resources. */
  readonly connectionUrl: (resources: R) => string;
  /** dbt vars receiving the first and last partition of a partitioned run. */
  readonly partitionVars?: { readonly start: string; readonly end: string };
  /**
   * The column holding a partitioned model's partition key (a model's meta
   * `lignee_partition_column` wins): after a build, each partition's own `row_count` is counted
   * in it. Without one, a build of several partitions records only build-level figures.
   */
  readonly partitionColumn?: string;
  readonly retryPolicy?: RetryPolicy;
}

/**
 * Turns every model of a dbt project into an asset: key `<prefix>/<model>`, dependencies from
 * `depends_on` (sources map to platform assets through their `meta.lignee_asset`), group from
 * the model's folder, code version from the model's SQL and config. A model whose meta says
 * `lignee_partitions: daily` (with `lignee_start`) is daily-partitioned; a run for a range
 * passes it as the vars `partitionVars`. The models selected in a run are built by one
 * `dbt build`, and dbt's tests become checks of the model they test (declared in its
 * `checkSpecs`, severity from the test's `severity: warn|error`), per partition for a
 * partitioned model (see `testChecks`).
 *
 * The manifest comes from `dbt parse`, run again only when the project's files change.
 */
export async function loadDbtAssets<R>(
  options: DbtAssetsOptions<R>,
): Promise<AssetDefinition<R>[]> {
  const manifest = await ensureManifest(options);
  const prefix = options.keyPrefix ?? "emploi";
  const models = Object.values(manifest.nodes).filter((n) => n.resource_type === "model");
  const keyOf = new Map<string, string>(models.map((m) => [m.unique_id, `${prefix}/${m.name}`]));
  for (const source of Object.values(manifest.sources)) {
    const asset = metaOf(source).lignee_asset;
    if (typeof asset === "string") keyOf.set(source.unique_id, asset);
  }
  const testsOf = new Map<string, ManifestNode[]>();
  for (const node of Object.values(manifest.nodes)) {
    if (node.resource_type !== "test") continue;
    const model = testedModel(node);
    if (model) testsOf.set(model, [...(testsOf.get(model) ?? []), node]);
  }
  const runner = dbtRunner(options, models, keyOf, testsOf);
  return models
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((model) => {
      const meta = metaOf(model);
      const deps = [
        ...new Set(
          (model.depends_on?.nodes ?? []).map((n) => keyOf.get(n)).filter((k) => k !== undefined),
        ),
      ];
      return defineAsset<R>({
        key: keyOf.get(model.unique_id)!,
        deps,
        group: model.fqn.length > 2 ? model.fqn[1]! : "dbt",
        tags: { kind: "dbt", materialized: String(model.config?.materialized ?? "view") },
        owners: ownersOf(meta),
        codeVersion: codeVersion(model),
        ...(model.description ? { description: model.description } : {}),
        ...(meta.lignee_partitions === "daily"
          ? {
              partitions: dailyPartitions({
                start: String(meta.lignee_start),
                ...(typeof meta.lignee_timezone === "string"
                  ? { timezone: meta.lignee_timezone }
                  : {}),
              }),
            }
          : {}),
        retryPolicy: options.retryPolicy ?? NO_RETRY,
        checkSpecs: checkSpecsOf(testsOf.get(model.unique_id) ?? []),
        runner,
        details: modelDetails(
          path.join(options.projectDir, "target", "manifest.json"),
          model.unique_id,
        ),
      });
    });
}

/** A model's `meta.owner` (one) or `meta.owners` (a list), as dbt projects usually write them. */
function ownersOf(meta: Record<string, unknown>): string[] {
  const owners = [meta.owner, ...(Array.isArray(meta.owners) ? meta.owners : [meta.owners])];
  return owners.filter((o): o is string => typeof o === "string" && o.trim() !== "");
}

function codeVersion(model: ManifestNode): string {
  const config = JSON.stringify(model.config ?? {}, Object.keys(model.config ?? {}).sort());
  return createHash("sha256")
    .update(model.raw_code ?? model.checksum?.checksum ?? "")
    .update("\u0000")
    .update(config)
    .digest("hex")
    .slice(0, 12);
}

function dbtRunner<R>(
  options: DbtAssetsOptions<R>,
  models: readonly ManifestNode[],
  keyOf: ReadonlyMap<string, string>,
  testsOf: ReadonlyMap<string, ManifestNode[]>,
): AssetGroupRunner<R> {
  const modelByKey = new Map(models.map((m) => [keyOf.get(m.unique_id)!, m]));
  const vars = options.partitionVars ?? { start: "jour_debut", end: "jour_fin" };
  return {
    key: `dbt:${path.basename(path.resolve(options.projectDir))}`,
    prepare(resources: R): void {
      if (!dbtWarmEnabled()) return;
      prepareDbtWarm(["--target", options.target ?? "dev"], {
        executable: options.executable,
        projectDir: options.projectDir,
        profilesDir: options.profilesDir ?? options.projectDir,
        env: connectionEnv(options.connectionUrl(resources)),
      });
    },
    async run(ctx: GroupMaterializeContext<R>): Promise<GroupMaterializeResult> {
      const selected = ctx.members.map((m) => ({ member: m, model: modelByKey.get(m.assetKey)! }));
      const ranges = ctx.members.map((m) => m.partitionKeyRange).filter((r) => r !== undefined);
      const args = [
        "build",
        "--select",
        ...selected.map((s) => s.model.name),
        "--target",
        options.target ?? "dev",
      ];
      if (ranges.length > 0) {
        const start = ranges.map((r) => r.start).sort()[0]!;
        const end = ranges
          .map((r) => r.end)
          .sort()
          .at(-1)!;
        args.push("--vars", JSON.stringify({ [vars.start]: start, [vars.end]: end }));
      }
      const assetOf = (uniqueId: string | undefined): string | undefined => {
        if (!uniqueId) return undefined;
        if (keyOf.has(uniqueId) && uniqueId.startsWith("model.")) return keyOf.get(uniqueId);
        const test = [...testsOf.entries()].find(([, tests]) =>
          tests.some((t) => t.unique_id === uniqueId),
        );
        return test ? keyOf.get(test[0]) : undefined;
      };
      // Each invocation writes to a target folder of its own, so that concurrent runs never
      // read each other's run_results.json; the parse state is copied in to keep partial parsing.
      const targetPath = path.join(options.projectDir, "target", "runs", randomUUID());
      await mkdir(targetPath, { recursive: true });
      for (const f of ["partial_parse.msgpack", "manifest.json"]) {
        const from = path.join(options.projectDir, "target", f);
        if (existsSync(from)) await copyFile(from, path.join(targetPath, f));
      }
      args.push("--target-path", targetPath);
      ctx.log.info(`dbt ${args.join(" ")}`);
      // Each partitioned model's rows are counted as soon as it is committed, beside its tests,
      // rather than once dbt has returned (a count of the fact table reads all of it).
      const counting = new Map<string, Promise<Map<string, number> | undefined>>();
      const countRows = (s: (typeof selected)[number]) => {
        let counted = counting.get(s.model.unique_id);
        if (!counted) {
          counted = ownRowCounts(options, s.model, s.member.partitionKeys, ctx);
          counting.set(s.model.unique_id, counted);
        }
        return counted;
      };
      let results: RunResult[] | undefined;
      let outcome: Awaited<ReturnType<typeof runDbt>>;
      try {
        // A warm dbt process (the manifest in memory) unless LIGNEE_DBT_WARM=0; the results
        // come from run_results.json either way.
        const run = dbtWarmEnabled() ? runDbtWarm : runDbt;
        outcome = await run(args, {
          executable: options.executable,
          projectDir: options.projectDir,
          profilesDir: options.profilesDir ?? options.projectDir,
          env: connectionEnv(options.connectionUrl(ctx.resources)),
          signal: ctx.signal,
          onLog: (line) => {
            const assetKey = assetOf(line.uniqueId);
            forward(line, assetKey, ctx);
            // Its transaction is committed: the platform's checks may read it while the tests
            // run (they start once every selected model is built).
            if (assetKey && line.name === "LogModelResult" && line.nodeStatus === "success") {
              ctx.committed?.(assetKey);
              const built = selected.find((s) => s.model.unique_id === line.uniqueId);
              if (built && !ctx.signal.aborted) void countRows(built);
            }
          },
        });
        const resultsFile = path.join(targetPath, "run_results.json");
        results = existsSync(resultsFile) ? await readRunResults(resultsFile) : undefined;
        if (!ctx.signal.aborted) await keepParseState(targetPath, options.projectDir);
      } finally {
        await rm(targetPath, { recursive: true, force: true });
        // No count outlives its run (one that failed or was cancelled included).
        await Promise.allSettled(counting.values());
      }
      if (!results) {
        const why =
          outcome.errors.slice(-5).join("\n") || `dbt exited with code ${outcome.exitCode}`;
        throw new LigneeError("USER_CODE", `dbt build failed before running any model:\n${why}`);
      }
      const byId = new Map(results.map((r) => [r.unique_id, r]));
      const out: Record<string, GroupMaterializeResult[string]> = {};
      for (const s of selected) {
        const { member, model } = s;
        const result = byId.get(model.unique_id);
        if (!result) {
          out[member.assetKey] = {
            ok: false,
            error: new Error(`dbt did not run ${model.name}: ${outcome.errors.at(-1) ?? ""}`),
          };
        } else if (result.status === "success") {
          const seconds = Math.round(result.executionTime * 1000) / 1000;
          const rowCounts = await countRows(s);
          out[member.assetKey] = {
            ok: true,
            metadata: {
              // One build of several partitions reports one count and one duration for all of
              // them: recorded on each partition, they must not read as that partition's own.
              ...(member.partitionKeys.length > 1
                ? {
                    build_rows_affected: result.rowsAffected,
                    build_partitions: member.partitionKeys.length,
                    build_execution_time_s: seconds,
                  }
                : { rows_affected: result.rowsAffected, execution_time_s: seconds }),
              dbt_message: result.message ?? "",
              materialized: String(model.config?.materialized ?? ""),
            },
            ...(rowCounts
              ? {
                  partitionMetadata: Object.fromEntries(
                    [...rowCounts].map(([key, n]) => [key, { row_count: n }]),
                  ),
                }
              : {}),
            checks: await testChecks(
              testsOf.get(model.unique_id) ?? [],
              byId,
              member.partitionKeys,
              {
                relationName: result.relationName ?? undefined,
                column: partitionColumnOf(options, model),
                connectionUrl: options.connectionUrl(ctx.resources),
                log: ctx.logFor(member.assetKey),
              },
            ),
          };
        } else {
          const why =
            result.status === "skipped"
              ? "skipped by dbt: a node it depends on failed"
              : (result.message ?? result.status);
          out[member.assetKey] = { ok: false, error: new Error(`dbt ${result.status}: ${why}`) };
        }
      }
      return out;
    },
  };
}

/**
 * Each built partition's own row count, counted in the model's table once the model is
 * committed (one query, beside its tests), when the model names its partition column;
 * undefined otherwise, or when counting fails (a warning: the build itself succeeded).
 */
async function ownRowCounts<R>(
  options: DbtAssetsOptions<R>,
  model: ManifestNode,
  partitionKeys: readonly string[],
  ctx: GroupMaterializeContext<R>,
): Promise<Map<string, number> | undefined> {
  const column = partitionColumnOf(options, model);
  if (partitionKeys.length === 0 || !column || !model.schema) return undefined;
  try {
    return await partitionRowCounts(
      options.connectionUrl(ctx.resources),
      { schema: model.schema, name: model.alias ?? model.name },
      column,
      partitionKeys,
    );
  } catch (e) {
    ctx.log.warn(`${model.name}: could not count rows by ${column}: ${(e as Error).message}`);
    return undefined;
  }
}

/** A partitioned model's partition column: its meta `lignee_partition_column`, else the option. */
function partitionColumnOf<R>(
  options: DbtAssetsOptions<R>,
  model: ManifestNode,
): string | undefined {
  const meta = metaOf(model).lignee_partition_column;
  return typeof meta === "string" ? meta : options.partitionColumn;
}

/**
 * Moves the parse state a run wrote (`partial_parse.msgpack`) to `target/`, where the next run
 * copies it from. dbt reuses a parse state only when the vars and the connection are the ones
 * it was written with, which the state of `dbt parse` (no vars, placeholder connection) never
 * is: without this, every run parses the whole project again. A rename, so that a run copying
 * the file at the same time gets the old one or the new one, whole.
 */
async function keepParseState(targetPath: string, projectDir: string): Promise<void> {
  const from = path.join(targetPath, "partial_parse.msgpack");
  if (!existsSync(from)) return;
  await rename(from, path.join(projectDir, "target", "partial_parse.msgpack")).catch(
    () => undefined,
  );
}

/** Node starts, results and errors go to the asset they concern, as they happen. */
function forward<R>(
  line: DbtLogLine,
  assetKey: string | undefined,
  ctx: GroupMaterializeContext<R>,
): void {
  const log = assetKey ? ctx.logFor(assetKey) : ctx.log;
  if (line.level === "error") log.error(line.msg);
  else if (line.level === "warn") log.warn(line.msg);
  else if (
    line.name === "LogStartLine" ||
    line.name === "LogModelResult" ||
    line.name === "LogTestResult"
  )
    log.info(line.msg);
  else if (line.name === "CommandCompleted" || line.name === "StatsLine") ctx.log.info(line.msg);
}

/**
 * The variables profiles.yml reads; the URL's `options` (libpq's session settings, e.g.
 * `?options=-c%20work_mem%3D64MB`), which a dbt profile cannot carry, as `PGOPTIONS`, which
 * every connection dbt opens reads.
 */
export function connectionEnv(url: string): Record<string, string> {
  const u = new URL(url);
  const options = u.searchParams.get("options");
  return {
    LIGNEE_DBT_HOST: u.hostname,
    LIGNEE_DBT_PORT: u.port || "5432",
    LIGNEE_DBT_USER: decodeURIComponent(u.username),
    LIGNEE_DBT_PASSWORD: decodeURIComponent(u.password),
    LIGNEE_DBT_DBNAME: decodeURIComponent(u.pathname.replace(/^\//, "")),
    ...(options ? { PGOPTIONS: options } : {}),
  };
}

const PROJECT_FILES = ["dbt_project.yml", "packages.yml", "dependencies.yml"];
const PROJECT_DIRS = ["models", "macros", "tests", "seeds", "snapshots", "analyses"];

/** `target/manifest.json`, from `dbt parse` when the project's files changed since the last parse. */
async function ensureManifest<R>(options: DbtAssetsOptions<R>): Promise<DbtManifest> {
  const target = path.join(options.projectDir, "target");
  const manifestFile = path.join(target, "manifest.json");
  const stampFile = path.join(target, "lignee-parse.sha256");
  const fingerprint = projectFingerprint(options.projectDir);
  const fresh =
    existsSync(manifestFile) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, "utf8").trim() === fingerprint;
  if (!fresh) {
    // Parsing does not connect; profiles.yml still needs its variables to be set.
    const parsed = await runDbt(["parse", "--target", options.target ?? "dev"], {
      executable: options.executable,
      projectDir: options.projectDir,
      profilesDir: options.profilesDir ?? options.projectDir,
      env: connectionEnv("postgres://parse:parse@localhost:5432/parse"),
    });
    if (parsed.exitCode !== 0 || !existsSync(manifestFile)) {
      throw new LigneeError(
        "DEFINITION_INVALID",
        `dbt parse failed in ${options.projectDir}:\n${parsed.errors.slice(-5).join("\n") || `exit code ${parsed.exitCode}`}`,
      );
    }
    await writeFile(stampFile, `${fingerprint}\n`);
  }
  const manifest = await readManifest(manifestFile);
  // Parsed once per process: the asset pages' model details read this one.
  await keepManifest(manifestFile, manifest);
  return manifest;
}

function projectFingerprint(projectDir: string): string {
  const hash = createHash("sha256");
  const visit = (p: string): void => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) visit(path.join(p, e));
    } else {
      hash
        .update(path.relative(projectDir, p))
        .update("\u0000")
        .update(readFileSync(p))
        .update("\u0000");
    }
  };
  for (const f of PROJECT_FILES) visit(path.join(projectDir, f));
  for (const d of PROJECT_DIRS) visit(path.join(projectDir, d));
  return hash.digest("hex");
}
