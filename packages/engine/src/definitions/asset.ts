import type { z } from "zod";
import type { PartitionMapping } from "../partitions/mapping";
import type { PartitionsDefinition } from "../partitions/definition";
import type { AssetKey } from "../graph/asset-key";
import type { FreshnessPolicyInput } from "./freshness-policy";
import { NO_RETRY, type RetryPolicy } from "./retry-policy";

/** Values accepted as materialisation metadata (shown in the CLI, API and UI). */
export type MetadataValue = string | number | boolean | null;
export type Metadata = Readonly<Record<string, MetadataValue>>;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * A zod schema for an asset's run config: JSON-shaped (objects, strings, numbers, booleans,
 * enums, arrays, with defaults and descriptions), so that it can be stored with the run, shown as
 * a form and given on the command line. `Definitions.create` rejects a schema that `z.toJSONSchema`
 * cannot represent (transforms, dates, …).
 */
export type ConfigSchema = z.ZodType;

/** What `ctx.config` is for an asset with this schema: the schema's output, or undefined. */
export type ConfigOf<S extends ConfigSchema | undefined> = S extends ConfigSchema
  ? z.output<S>
  : undefined;

/** What an asset's `materialize` function receives. */
export interface MaterializeContext<R = unknown, C = unknown> {
  readonly assetKey: AssetKey;
  readonly runId: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  readonly attempt: number;
  /** The partition being materialised; undefined for an unpartitioned asset or a range. */
  readonly partitionKey: string | undefined;
  /** Every partition this call materialises (one, unless the asset runs ranges in one call). */
  readonly partitionKeys: readonly string[];
  /** First and last key when the call covers partitions; undefined for unpartitioned assets. */
  readonly partitionKeyRange: { readonly start: string; readonly end: string } | undefined;
  /**
   * For time partitions (hourly, daily, weekly, monthly): the instants covered, from the first
   * partition's start to the last one's end.
   */
  readonly partitionTimeWindow: { readonly start: Date; readonly end: Date } | undefined;
  readonly log: Logger;
  /** Aborted when the run is cancelled; long work should pass it on (fetch, COPY, child processes). */
  readonly signal: AbortSignal;
  readonly resources: R;
  /**
   * The tags of the run (e.g. `source=file` on the runs a file sensor queues), so that an asset
   * can adapt what it does to why it runs.
   */
  readonly runTags: Readonly<Record<string, string>>;
  /**
   * The run's config for this asset, validated by its `config` schema, defaults applied
   * (undefined for an asset without a schema). See `AssetOptions.config`.
   */
  readonly config: C;
  /**
   * Adds keys to a dynamic partitions set that an asset of the definitions declares (keys
   * already in it are left as they are); resolves to the keys added. They exist for the runs
   * and evaluations that start afterwards, not for this run.
   *
   * @example
   * await ctx.addDynamicPartitions("sirene_months", ["2024-09"]);
   */
  addDynamicPartitions(name: string, keys: readonly string[]): Promise<readonly string[]>;
}

/** The outcome of a data-quality check on an asset (e.g. a dbt test). */
export interface AssetCheckResult {
  readonly name: string;
  readonly passed: boolean;
  readonly severity: "error" | "warn";
  readonly description?: string;
  readonly metadata?: Metadata;
  /** The partition the result is about; omitted: every partition of the call. */
  readonly partitionKey?: string;
}

/**
 * A check that an asset's own `materialize` (or runner) evaluates and reports in its result,
 * such as a dbt test: declared so that it is listed, and can be switched off, before it first runs.
 */
export interface AssetCheckSpec {
  readonly name: string;
  readonly severity: "error" | "warn";
  readonly description?: string;
}

export interface MaterializeResult {
  /** Recorded on every partition of the call (e.g. a build's duration: name it `build_…`). */
  readonly metadata?: Metadata;
  /**
   * Each partition's own entries, by partition key, over `metadata` (e.g. its `row_count`):
   * what is true of one partition must not be copied from the whole build onto each of them.
   */
  readonly partitionMetadata?: Readonly<Record<string, Metadata>>;
  /**
   * Checks evaluated on the data just written; stored with the asset. A result named like a
   * check declared with `defineCheck` stands in for that check's evaluation on the partitions
   * it covers (recorded with the declared severity); `lignee check` still evaluates it.
   */
  readonly checks?: readonly AssetCheckResult[];
  /**
   * A version of the data produced (e.g. a content hash). When omitted, every materialisation
   * counts as new data for the assets downstream.
   */
  readonly dataVersion?: string;
}

/** One asset of a step that materialises several assets in one call (see `AssetGroupRunner`). */
export interface GroupMember {
  readonly assetKey: AssetKey;
  /** Partitions of this asset in the step (empty for an unpartitioned asset). */
  readonly partitionKeys: readonly string[];
  readonly partitionKeyRange: { readonly start: string; readonly end: string } | undefined;
  /** The run's config for this asset, validated by its schema (undefined without one). */
  readonly config?: unknown;
}

export interface GroupMaterializeContext<R = unknown> {
  readonly runId: string;
  readonly attempt: number;
  readonly members: readonly GroupMember[];
  readonly log: Logger;
  /** Log lines attributed to one member asset. */
  readonly logFor: (assetKey: AssetKey) => Logger;
  readonly signal: AbortSignal;
  readonly resources: R;
  /**
   * Says that a member's data is written and committed while `run` goes on (dbt: its model is
   * built, its tests still run). Once every member has said so, the engine evaluates their
   * checks (`defineCheck`) beside what the runner still does, instead of after `run` returns.
   * Their results are recorded with the members' materialisations, as always. Undefined when
   * the caller does not use it (a runner called by hand); a runner that never calls it has its
   * members' checks evaluated after it returns.
   */
  readonly committed?: (assetKey: AssetKey) => void;
}

/** Per member: materialised (with metadata) or failed (with its error). */
export type GroupMaterializeResult = Readonly<
  Record<
    AssetKey,
    | {
        readonly ok: true;
        readonly metadata?: Metadata;
        /** Each partition's own entries, by partition key (see `MaterializeResult`). */
        readonly partitionMetadata?: Readonly<Record<string, Metadata>>;
        readonly dataVersion?: string;
        readonly checks?: readonly AssetCheckResult[];
      }
    | { readonly ok: false; readonly error: unknown }
  >
>;

/**
 * Materialises several assets in one call — e.g. the dbt models selected in a run, built by
 * one `dbt build`. Assets sharing a runner `key` and selected together become one step; one
 * member can fail while the others succeed. Throwing fails (and may retry) the whole step.
 */
export interface AssetGroupRunner<R = unknown> {
  readonly key: string;
  run(ctx: GroupMaterializeContext<R>): Promise<GroupMaterializeResult>;
  /**
   * Called (not awaited, errors ignored) when a run whose plan has a step of this runner
   * starts: a runner with start-up costs (a warm dbt process importing dbt and parsing its
   * project) pays them while the steps before its own run.
   */
  prepare?(resources: R): void;
}

export interface AssetDependency {
  readonly asset: AssetKey;
  readonly mapping?: PartitionMapping;
  /**
   * Whether a failed `error` check on the upstream holds this asset (default true). False: it
   * reads the upstream whatever its checks say.
   */
  readonly blockOnChecks?: boolean;
}

export interface AssetDefinition<R = unknown> {
  readonly key: AssetKey;
  readonly deps: readonly AssetDependency[];
  readonly group: string;
  readonly tags: Readonly<Record<string, string>>;
  /** Who answers for the asset (people or teams, e.g. `data-emploi@example.org`), as shown in the catalog. */
  readonly owners: readonly string[];
  readonly codeVersion: string;
  readonly description: string | undefined;
  readonly partitions: PartitionsDefinition | undefined;
  readonly retryPolicy: RetryPolicy;
  /** `per-partition`: one call per partition; `single-run`: one call for a whole range. */
  readonly backfillPolicy: "per-partition" | "single-run";
  /** Materialises this asset alone (unused when `runner` is set). */
  readonly materialize:
    ((ctx: MaterializeContext<R>) => Promise<MaterializeResult | void>) | undefined;
  /** Materialises this asset together with the other assets of the same runner. */
  readonly runner: AssetGroupRunner<R> | undefined;
  /**
   * `eager`: the scheduler queues this asset's partitions when the upstream data they read
   * changes or first appears (see `lignee scheduler`). Undefined: only on request.
   */
  readonly automation: AssetAutomation | undefined;
  /**
   * A request that would materialise more partitions of this asset than this at once asks for
   * confirmation (`"confirm": true`, `--yes`), e.g. when each partition calls an external API.
   * Undefined: the platform's limit (`LIGNEE_CONFIRM_PARTITIONS`, default 100) alone applies.
   */
  readonly confirmAbove: number | undefined;
  /**
   * What the asset page shows beyond the definition (its columns, the code that computes it),
   * read only when asked for: e.g. a dbt model's columns and SQL from the dbt manifest.
   */
  readonly details: (() => Promise<AssetDetails>) | undefined;
  /** The checks its materialisation reports (see `AssetCheckSpec`); `defineCheck` declares the others. */
  readonly checkSpecs: readonly AssetCheckSpec[];
  /**
   * When its data must be there (see `FreshnessPolicyInput`); checked and resolved by
   * `Definitions.create` (`Definitions.freshnessPolicy(key)`). Undefined: no deadline.
   */
  readonly freshness: FreshnessPolicyInput | undefined;
  /** The schema of its run config (see `AssetOptions.config`); undefined: it takes none. */
  readonly config: ConfigSchema | undefined;
}

/** One column of the table an asset writes. */
export interface AssetColumn {
  readonly name: string;
  /** The declared type, when the project declares one. */
  readonly type: string | null;
  readonly description: string | null;
}

/** Columns and code of an asset (see `AssetDefinition.details`). */
export interface AssetDetails {
  readonly columns?: readonly AssetColumn[];
  readonly code?: {
    /** e.g. `sql` */
    readonly language: string;
    /** The code as written. */
    readonly raw: string;
    /** The code as run (e.g. dbt's compiled SQL), when known. */
    readonly compiled?: string;
  };
}

/** How an asset follows its upstream data (see `AssetDefinition.automation`). */
export type AssetAutomation = "eager";

export interface AssetOptions<R, S extends ConfigSchema | undefined = undefined> {
  key: AssetKey;
  deps?: readonly (AssetKey | AssetDependency)[];
  group?: string;
  tags?: Record<string, string>;
  owners?: readonly string[];
  codeVersion?: string;
  description?: string;
  partitions?: PartitionsDefinition;
  retryPolicy?: RetryPolicy;
  backfillPolicy?: "per-partition" | "single-run";
  materialize?: (ctx: MaterializeContext<R, ConfigOf<S>>) => Promise<MaterializeResult | void>;
  runner?: AssetGroupRunner<R>;
  automation?: AssetAutomation;
  confirmAbove?: number;
  details?: () => Promise<AssetDetails>;
  checkSpecs?: readonly AssetCheckSpec[];
  /** e.g. `{ deadline: "0 7 * * *", timezone: "Europe/Paris" }` (J-1 by 07:00) or `{ maxLag: "2h" }`. */
  freshness?: FreshnessPolicyInput;
  /**
   * The schema of the config a run gives this asset (`{ "<asset key>": {...} }` in the run's
   * config), passed validated, defaults applied, as `ctx.config`. A run that gives no config for
   * the asset gets the schema's defaults (its config is parsed from `{}`). With an explicit
   * resources type, name the schema's type too: `defineAsset<Resources, typeof Config>(…)`.
   */
  config?: S;
}

/**
 * Declares a software-defined asset. Validation that needs the other assets (unknown deps,
 * cycles, partition mappings) happens when the definitions are assembled.
 *
 * @example
 * const offres = defineAsset({
 *   key: "raw/offres",
 *   group: "collecte",
 *   codeVersion: "1",
 *   partitions: dailyPartitions({ start: "2024-05-23" }),
 *   config: z.object({ pageSize: z.number().int().max(150).default(150) }),
 *   async materialize(ctx) {
 *     ctx.log.info(`collecting ${ctx.partitionKey}, ${ctx.config.pageSize} offers a page`);
 *     return { metadata: { rows: 50_171 } };
 *   },
 * });
 */
export function defineAsset<R = unknown, S extends ConfigSchema | undefined = undefined>(
  options: AssetOptions<R, S>,
): AssetDefinition<R> {
  return {
    key: options.key,
    deps: (options.deps ?? []).map((d) => (typeof d === "string" ? { asset: d } : d)),
    group: options.group ?? "default",
    tags: { ...(options.tags ?? {}) },
    owners: [...(options.owners ?? [])],
    codeVersion: options.codeVersion ?? "1",
    description: options.description,
    partitions: options.partitions,
    retryPolicy: options.retryPolicy ?? NO_RETRY,
    // A runner builds whole ranges in one call.
    backfillPolicy: options.runner ? "single-run" : (options.backfillPolicy ?? "per-partition"),
    // The context's config is typed by the schema here; the engine passes what the schema parsed.
    materialize: options.materialize as AssetDefinition<R>["materialize"],
    runner: options.runner,
    automation: options.automation,
    confirmAbove: options.confirmAbove,
    details: options.details,
    checkSpecs: [...(options.checkSpecs ?? [])],
    freshness: options.freshness,
    config: options.config,
  };
}
