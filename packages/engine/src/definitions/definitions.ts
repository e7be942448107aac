import { resolve as resolvePath } from "node:path";
import type { ScheduleDefinition } from "./schedule";
import type { SensorDefinition } from "./sensor";
import { automationProblems } from "./validate-automation";
import {
  DefinitionError,
  InvalidConfigError,
  UnknownAssetError,
  UnknownPartitionsSetError,
} from "../errors";
import { AssetGraph } from "../graph/asset-graph";
import { defaultMapping, mappingProblem, type PartitionMapping } from "../partitions/mapping";
import { withLoadedKeys, type DynamicPartitionsStore } from "../partitions/dynamic";
import type { AssetDefinition } from "./asset";
import { checkProblems, type CheckDefinition } from "./check";
import { resolveFreshnessPolicy, type FreshnessPolicy } from "./freshness-policy";
import { alertsProblems, type AlertsConfig } from "./alerts";
import { configSchemaProblem, resolveRunConfig } from "./run-config";
import { resolveSelection } from "../graph/selection";
import { assetKeyProblem, type AssetKey } from "../graph/asset-key";
import {
  MAINTENANCE_SCHEDULE,
  resolveMaintenance,
  type MaintenanceConfig,
  type MaintenanceOptions,
} from "./maintenance";

/** What a resource factory gets from the runtime it runs in. */
export interface ResourceEnvironment {
  /** The PostgreSQL the engine runs on (embedded or DATABASE_URL); the warehouse may live there too. */
  readonly databaseUrl: string;
  /** The local state directory (`.lignee`). */
  readonly home: string;
}

/** Resources as a value, or a factory called once, on first use, with the runtime's environment. */
export type ResourcesInput<R> = R | ((env: ResourceEnvironment) => R | Promise<R>);

/** A dependency with its mapping resolved (explicit or default). */
export interface ResolvedDependency {
  readonly asset: AssetKey;
  readonly mapping: PartitionMapping;
  /** False when the dependency opted out of being held by the upstream's failed checks. */
  readonly blockOnChecks: boolean;
}

/**
 * The validated set of assets a deployment runs, with their lineage graph, shared resources,
 * schedules and sensors. Validation happens once, in `Definitions.create`, and reports every
 * problem in one error: invalid or duplicate keys, unknown dependencies, cycles (naming their
 * assets), partition mappings that cannot join the two assets, invalid cron expressions or
 * timezones, and schedules or sensors selecting unknown assets. Nothing runs on invalid
 * definitions.
 *
 * @example
 * export default Definitions.create({
 *   assets: [offres, dimRome],
 *   resources: { dataDir: "data" },
 *   schedules: [defineSchedule({ name: "daily", cron: "0 1 * * *", selection: "raw/offres+",
 *     partition: (at) => dayBefore(at) })],
 * });
 */
export class Definitions<R = unknown> {
  readonly graph: AssetGraph;
  readonly schedules: readonly ScheduleDefinition[];
  readonly sensors: readonly SensorDefinition[];
  /** The checks declared with `defineCheck`, in declaration order. */
  readonly checks: readonly CheckDefinition<R>[];
  /**
   * Default limits of the concurrency pools the assets name in their `pool` tag (pool → runs
   * at once); `LIGNEE_POOLS` overrides them.
   */
  readonly pools: Readonly<Record<string, number>>;
  /**
   * The built-in maintenance job's settings; its schedule (`lignee_maintenance`, unless switched
   * off) is evaluated with the others (`allSchedules`) but is not one of `schedules`.
   */
  readonly maintenance: MaintenanceConfig;
  /** Alert channels and the daily summary (`LIGNEE_ALERT_*` channels are added at run time). */
  readonly alerts: AlertsConfig;
  /**
   * Files and folders (absolute) these definitions are read from besides their modules: a change
   * in them reloads the definitions in `lignee dev`, and their content is part of the
   * definitions' version.
   */
  readonly watch: readonly string[];
  /** The names of the dynamic partitions sets the assets declare, sorted. */
  readonly dynamicPartitionsNames: readonly string[];
  private readonly byKey: ReadonlyMap<AssetKey, AssetDefinition<R>>;
  private readonly resolvedDeps: ReadonlyMap<AssetKey, readonly ResolvedDependency[]>;
  private readonly freshness: ReadonlyMap<AssetKey, FreshnessPolicy>;
  private resolved: Promise<R> | undefined;
  /** For definitions with loaded dynamic partition keys: the definitions they were loaded from. */
  private origin: Definitions<R> | undefined;

  private constructor(
    assets: readonly AssetDefinition<R>[],
    private readonly resourcesInput: ResourcesInput<R> | undefined,
    schedules: readonly ScheduleDefinition[],
    sensors: readonly SensorDefinition[],
    pools: Readonly<Record<string, number>>,
    checks: readonly CheckDefinition<R>[],
    maintenance: MaintenanceConfig,
    alerts: AlertsConfig,
    watch: readonly string[],
  ) {
    this.alerts = alerts;
    this.watch = [...watch];
    this.pools = { ...pools };
    this.checks = [...checks];
    this.maintenance = maintenance;
    this.schedules = [...schedules];
    this.sensors = [...sensors];
    this.byKey = new Map(assets.map((a) => [a.key, a]));
    this.dynamicPartitionsNames = [
      ...new Set(
        assets.flatMap((a) => (a.partitions?.kind === "dynamic" ? [a.partitions.name] : [])),
      ),
    ].sort();
    this.resolvedDeps = new Map(
      assets.map((a) => [
        a.key,
        a.deps.map((d) => ({
          asset: d.asset,
          mapping: d.mapping ?? defaultMapping(this.byKey.get(d.asset)?.partitions, a.partitions),
          blockOnChecks: d.blockOnChecks ?? true,
        })),
      ]),
    );
    this.freshness = new Map(
      assets.flatMap((a) => {
        const resolved = a.freshness && resolveFreshnessPolicy(a.freshness, a.partitions);
        return resolved && "policy" in resolved ? [[a.key, resolved.policy] as const] : [];
      }),
    );
    this.graph = AssetGraph.build(
      assets.map((a) => ({
        key: a.key,
        deps: a.deps.map((d) => d.asset),
        group: a.group,
        tags: a.tags,
      })),
    );
  }

  static create<R = undefined>(options: {
    assets: readonly AssetDefinition<R>[];
    resources?: ResourcesInput<R>;
    schedules?: readonly ScheduleDefinition[];
    sensors?: readonly SensorDefinition[];
    pools?: Readonly<Record<string, number>>;
    checks?: readonly CheckDefinition<R>[];
    /** The built-in maintenance job: its schedule, retention and raw folders (see docs). */
    maintenance?: MaintenanceOptions;
    alerts?: AlertsConfig;
    /**
     * Files and folders the definitions are built from besides their modules (a dbt project's
     * models, a YAML file read when the module loads), absolute or relative to the working
     * directory: `lignee dev` loads the definitions again when they change.
     */
    watch?: readonly string[];
  }): Definitions<R> {
    const schedules = options.schedules ?? [];
    const sensors = options.sensors ?? [];
    const pools = options.pools ?? {};
    const checks = options.checks ?? [];
    const problems = validate(options.assets);
    problems.push(...configProblems(options.assets, schedules));
    const maintenance = resolveMaintenance(options.maintenance, process.env);
    problems.push(...maintenance.problems);
    if (schedules.some((s) => s.name === MAINTENANCE_SCHEDULE))
      problems.push(`schedule name "${MAINTENANCE_SCHEDULE}" is reserved for the maintenance job`);
    const assetKeys = new Set(options.assets.map((a) => a.key));
    problems.push(...checkProblems(checks, (k) => assetKeys.has(k)));
    for (const [pool, limit] of Object.entries(pools))
      if (!Number.isInteger(limit) || limit < 1)
        problems.push(`pool "${pool}": the limit must be a positive integer, not ${limit}`);
    const scheduleNames = new Set(schedules.map((s) => s.name));
    problems.push(...alertsProblems(options.alerts, (name) => scheduleNames.has(name)));
    // Selections are checked against the graph, which only exists for valid assets.
    const definitions =
      problems.length === 0
        ? new Definitions(
            options.assets,
            options.resources,
            schedules,
            sensors,
            pools,
            checks,
            maintenance.config,
            options.alerts ?? {},
            (options.watch ?? []).map((f) => resolvePath(f)),
          )
        : undefined;
    const partitioned = new Set(options.assets.filter((a) => a.partitions).map((a) => a.key));
    problems.push(
      ...automationProblems(schedules, sensors, definitions?.graph, (k) => partitioned.has(k)),
    );
    if (definitions) problems.push(...scheduleConfigProblems(definitions, schedules));
    if (problems.length > 0 || !definitions) throw new DefinitionError(problems);
    return definitions;
  }

  /** The checks declared on an asset, in declaration order. */
  checksOf(key: AssetKey): CheckDefinition<R>[] {
    return this.checks.filter((c) => c.asset === key);
  }

  /** An asset's freshness policy, resolved; undefined when it declares none. */
  freshnessPolicy(key: AssetKey): FreshnessPolicy | undefined {
    return this.freshness.get(key);
  }

  /** The declared schedules, then the built-in maintenance schedule when it is on. */
  get allSchedules(): readonly ScheduleDefinition[] {
    const maintenance = this.maintenance.schedule;
    return maintenance ? [...this.schedules, maintenance] : this.schedules;
  }

  /** A declared schedule, or the built-in maintenance schedule by its name. */
  findSchedule(name: string): ScheduleDefinition | undefined {
    return this.allSchedules.find((s) => s.name === name);
  }

  findSensor(name: string): SensorDefinition | undefined {
    return this.sensors.find((s) => s.name === name);
  }

  /** The assets with eager automation, in topological order. */
  get eagerAssets(): AssetDefinition<R>[] {
    return this.assets.filter((a) => a.automation === "eager");
  }

  /**
   * The resources passed to every `materialize` call. A factory runs once, on first use; later
   * calls return the same instance whatever `env` they pass.
   */
  resolveResources(env: ResourceEnvironment): Promise<R> {
    if (this.origin) return this.origin.resolveResources(env);
    const input = this.resourcesInput;
    if (!this.resolved) {
      const resolving =
        typeof input === "function"
          ? Promise.resolve().then(() =>
              (input as (env: ResourceEnvironment) => R | Promise<R>)(env),
            )
          : Promise.resolve(input as R);
      // A failure is not kept: the next run tries again (a database that was briefly away).
      this.resolved = resolving.catch((error: unknown) => {
        this.resolved = undefined;
        throw error;
      });
    }
    return this.resolved;
  }

  /** Closes resolved resources that have a `close()` method (connection pools, servers). */
  async disposeResources(): Promise<void> {
    if (this.origin) return this.origin.disposeResources();
    const resolved = this.resolved;
    this.resolved = undefined;
    if (!resolved) return;
    const value = (await resolved) as { close?: unknown } | undefined;
    if (value && typeof value.close === "function") await (value.close as () => Promise<void>)();
  }

  /** Throws UnknownPartitionsSetError unless an asset declares the dynamic partitions set `name`. */
  requireDynamicPartitionsSet(name: string): void {
    const known = this.dynamicPartitionsNames;
    if (!known.includes(name)) throw new UnknownPartitionsSetError(name, known);
  }

  /**
   * The same definitions with the keys of their dynamic partitions read from `store` (one
   * snapshot for a whole evaluation); these definitions themselves when they have none. Status,
   * planning and mappings evaluate dynamic partitions only on definitions returned here. They
   * share the resources of these definitions.
   *
   * @example
   * const loaded = definitions.withDynamicPartitions(await storage.readDynamicPartitions(definitions.dynamicPartitionsNames));
   */
  withDynamicPartitions(store: DynamicPartitionsStore): Definitions<R> {
    if (this.dynamicPartitionsNames.length === 0) return this;
    const origin = this.origin ?? this;
    const byKey = new Map(
      [...origin.byKey].map(([key, a]) => [
        key,
        a.partitions?.kind === "dynamic"
          ? { ...a, partitions: withLoadedKeys(a.partitions, store) }
          : a,
      ]),
    );
    const loaded = Object.create(Definitions.prototype) as Definitions<R>;
    Object.assign(loaded, origin, { byKey, origin, resolved: undefined });
    return loaded;
  }

  get assets(): AssetDefinition<R>[] {
    return this.graph.topologicalOrder().map((k) => this.byKey.get(k)!);
  }

  has(key: AssetKey): boolean {
    return this.byKey.has(key);
  }

  get(key: AssetKey): AssetDefinition<R> {
    const a = this.byKey.get(key);
    if (!a) throw new UnknownAssetError(key);
    return a;
  }

  deps(key: AssetKey): readonly ResolvedDependency[] {
    return this.resolvedDeps.get(key) ?? [];
  }

  /** Direct downstream assets with the mapping they read `key` through. */
  dependents(key: AssetKey): { asset: AssetKey; mapping: PartitionMapping }[] {
    return this.graph.children(key).map((child) => ({
      asset: child,
      mapping: this.deps(child).find((d) => d.asset === key)!.mapping,
    }));
  }

  /** A stable text for an asset's dependency list; a change makes its materialisations stale. */
  depsSignature(key: AssetKey): string {
    return this.deps(key)
      .map((d) => d.asset)
      .sort()
      .join(",");
  }
}

function validate<R>(assets: readonly AssetDefinition<R>[]): string[] {
  const problems: string[] = [];
  const byKey = new Map<AssetKey, AssetDefinition<R>>();
  for (const a of assets) {
    const keyProblem = assetKeyProblem(a.key);
    if (keyProblem) problems.push(keyProblem);
    else if (byKey.has(a.key)) problems.push(`duplicate asset key "${a.key}"`);
    else byKey.set(a.key, a);
    if (typeof a.materialize !== "function" && a.runner === undefined)
      problems.push(`asset "${a.key}" has no materialize function`);
    if (typeof a.codeVersion !== "string" || a.codeVersion.length === 0) {
      problems.push(`asset "${a.key}" has an empty code version`);
    }
    if (a.automation !== undefined && a.automation !== "eager") {
      problems.push(`asset "${a.key}": unknown automation "${String(a.automation)}" (eager)`);
    }
    if (a.freshness !== undefined) {
      const resolved = resolveFreshnessPolicy(a.freshness, a.partitions);
      if ("problem" in resolved) problems.push(`asset "${a.key}": ${resolved.problem}`);
    }
    const confirmAbove = a.confirmAbove;
    if (confirmAbove !== undefined && !(Number.isInteger(confirmAbove) && confirmAbove >= 1)) {
      problems.push(
        `asset "${a.key}": confirmAbove must be a positive integer, not ${String(confirmAbove)}`,
      );
    }
  }
  for (const a of byKey.values()) {
    const seen = new Set<AssetKey>();
    for (const d of a.deps) {
      if (seen.has(d.asset)) problems.push(`asset "${a.key}" lists dependency "${d.asset}" twice`);
      seen.add(d.asset);
      const up = byKey.get(d.asset);
      if (!up) {
        problems.push(`asset "${a.key}" depends on unknown asset "${d.asset}"`);
        continue;
      }
      const mapping = d.mapping ?? defaultMapping(up.partitions, a.partitions);
      const why = mappingProblem(mapping, up.partitions, a.partitions);
      if (why)
        problems.push(
          `asset "${a.key}" → dependency "${d.asset}": incompatible partition mapping (${why})`,
        );
    }
  }
  const cycle = findCycle(byKey);
  if (cycle) problems.push(`dependency cycle: ${cycle.join(" → ")}`);
  return problems;
}

/** A cycle as a closed path of keys (first = last), or undefined. Deterministic. */
function findCycle<R>(byKey: ReadonlyMap<AssetKey, AssetDefinition<R>>): AssetKey[] | undefined {
  const state = new Map<AssetKey, "visiting" | "done">();
  const path: AssetKey[] = [];
  const visit = (key: AssetKey): AssetKey[] | undefined => {
    state.set(key, "visiting");
    path.push(key);
    const deps = [...(byKey.get(key)?.deps ?? [])].map((d) => d.asset).sort();
    for (const dep of deps) {
      if (!byKey.has(dep)) continue;
      const s = state.get(dep);
      if (s === "visiting") {
        // path holds key's upstream chain; the cycle runs dep → … → key → dep read downstream.
        const cycle = path.slice(path.indexOf(dep)).reverse();
        return [...cycle, cycle[0]!];
      }
      if (s === undefined) {
        const found = visit(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const key of [...byKey.keys()].sort()) {
    if (state.get(key) === undefined) {
      const found = visit(key);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * Config schemas that cannot be shown or stored as JSON (or that transform), eager assets whose
 * schema needs what eager runs cannot give, and schedules giving config to assets that do not
 * exist or take none (the values are checked against the selection by `scheduleConfigProblems`).
 */
function configProblems<R>(
  assets: readonly AssetDefinition<R>[],
  schedules: readonly ScheduleDefinition[],
): string[] {
  const problems: string[] = [];
  const withConfig = new Set<string>();
  for (const a of assets) {
    if (!a.config) continue;
    withConfig.add(a.key);
    const problem = configSchemaProblem(a.key, a.config) ?? eagerConfigProblem(a);
    if (problem) problems.push(problem);
  }
  for (const s of schedules)
    for (const key of Object.keys(s.config ?? {}))
      if (!withConfig.has(key))
        problems.push(
          `schedule "${s.name}": config for "${key}", which is not an asset with a config schema`,
        );
  return problems;
}

/** Eager automation queues its runs with no config: an eager asset's schema must take `{}`. */
function eagerConfigProblem<R>(asset: AssetDefinition<R>): string | undefined {
  if (asset.automation !== "eager" || !asset.config) return undefined;
  const parsed = asset.config.safeParse({});
  if (parsed.success) return undefined;
  const fields = [
    ...new Set(parsed.error.issues.map((i) => i.path.map(String).join(".") || "(root)")),
  ];
  return `asset "${asset.key}": eager automation gives no config, and its config schema needs ${fields.map((f) => `"${f}"`).join(", ")}: give its fields defaults`;
}

/**
 * A schedule's config validated as each of its ticks will validate it: against the schemas of
 * the assets its selection materializes (and of their upstream, which a stale request including
 * missing upstream may build). Ticks still validate it again, the partitions known.
 */
function scheduleConfigProblems<R>(
  definitions: Definitions<R>,
  schedules: readonly ScheduleDefinition[],
): string[] {
  const problems: string[] = [];
  for (const s of schedules) {
    let keys: AssetKey[];
    try {
      keys = resolveSelection(definitions.graph, s.selection);
    } catch {
      continue; // reported with the schedule's selection
    }
    const given = s.config ?? {};
    const upstream = definitions.graph.upstreamOf(keys);
    const named = Object.keys(given).filter((k) => upstream.has(k) && !keys.includes(k));
    try {
      resolveRunConfig(
        [...keys, ...named].map((k) => definitions.get(k)),
        given,
      );
    } catch (error) {
      if (!(error instanceof InvalidConfigError)) throw error;
      problems.push(`schedule "${s.name}": ${error.message}`);
    }
  }
  return problems;
}
