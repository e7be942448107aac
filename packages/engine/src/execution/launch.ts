import { randomUUID } from "node:crypto";
import { checkPartitionsLayouts } from "./check-partitions-layouts";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { hostname } from "node:os";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import { resolveRunConfig, type RunConfig } from "../definitions/run-config";
import { SelectionError } from "../errors";
import { resolveSelection } from "../graph/selection";
import {
  describePartitionRequest,
  resolvePartitionRequest,
  resolveStaleRequest,
  type PartitionRequest,
} from "../planning/partition-request";
import { plan, type Plan } from "../planning/plan";
import type { LeftOut, StatusSubsets } from "../planning/stale-targets";
import { computeStatus } from "../status/asset-status";
import type { LaunchedBy } from "../storage/launched-by";
import { DEFAULT_LOCAL_LEASE_MS, type NewRun, type Storage } from "../storage/storage";
import { EventWriter } from "./event-writer";
import type { RunEvent } from "./events";
import { executePlan, type RunOutcome, type StepFailure } from "./executor";
import { keepLocalLease } from "./local-lease";
import { redactMachinePaths } from "./redact-paths";

export interface MaterializeRequest {
  readonly selection: string;
  readonly partitions: PartitionRequest;
  readonly tags?: Record<string, string>;
  /**
   * Evaluate the checks of the selected assets on the requested partitions, materialising
   * nothing (`lignee check`): assets without a check of their own are left out. `config` is
   * ignored: checks take none.
   */
  readonly checksOnly?: boolean;
  /** Per asset key, the config its `config` schema takes (see `RunConfig`); default `{}`. */
  readonly config?: RunConfig;
  /**
   * `config` is a run's stored config (validated when the run was accepted, defaults filled
   * in), validated again: the 64 KiB cap, which held then, is not applied again.
   */
  readonly configStored?: boolean;
}

/** Runs automation launched (tag `trigger`): they hold what failed checks hold (executePlan). */
const AUTOMATION_TRIGGERS = new Set(["schedule", "sensor", "eager"]);

/** The tag of a checks-only run, so that a worker plans it as one again. */
export const CHECKS_ONLY_TAG = "lignee/checks-only";

export interface PreparedRun {
  readonly selection: string;
  /** The assets the run materialises (for a `stale` request, those with something to do). */
  readonly assetKeys: readonly string[];
  readonly partitions: PartitionRequest;
  readonly plan: Plan;
  /** For a `stale` request: partitions left out because they wait on missing upstream ones. */
  readonly leftOut: readonly LeftOut[];
  /**
   * The run's config as validated: per asset with a config schema among the selected and planned
   * assets, the schema's output (defaults applied). Stored with the run.
   */
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * Validates a request and plans it, touching no storage: unknown assets, bad selections,
 * invalid partition keys, invalid config and stale requests with nothing to do throw here, so
 * that bad input never creates a run. A `stale` request needs the current `statuses` (see `statusesFor`).
 *
 * @example
 * const request = { selection: "raw/offres+", partitions: { kind: "stale" } } as const;
 * prepareRun(definitions, request, now, await statusesFor(definitions, storage, request, now));
 */
export function prepareRun(
  definitions: Definitions<unknown>,
  request: MaterializeRequest,
  now: Date,
  statuses?: ReadonlyMap<string, StatusSubsets>,
): PreparedRun {
  const selected = resolveSelection(definitions.graph, request.selection);
  if (request.checksOnly) return prepareCheckRun(definitions, request, selected, now);
  // Invalid config is reported first, whatever the partitions (a stale request with nothing to
  // do included); the assets the request adds to its selection get their defaults below.
  runConfigFor(definitions, selected, request);
  const { targets, leftOut } =
    request.partitions.kind === "stale"
      ? resolveStaleRequest(definitions, selected, request.partitions, now, statuses)
      : {
          targets: resolvePartitionRequest(definitions, selected, request.partitions, now),
          leftOut: [],
        };
  // A request including missing upstream materialises assets outside its selection too.
  const assetKeys = definitions.graph.sortTopologically(targets.keys());
  return {
    selection: request.selection,
    assetKeys,
    partitions: request.partitions,
    plan: plan(definitions, targets, now),
    leftOut,
    config: runConfigFor(definitions, [...new Set([...selected, ...assetKeys])], request),
  };
}

/** The run's config validated against the schemas of `keys` (see `resolveRunConfig`). */
function runConfigFor(
  definitions: Definitions<unknown>,
  keys: readonly string[],
  request: MaterializeRequest,
): Record<string, unknown> {
  const { partitions } = request;
  const given = request.config ?? {};
  // What a stale request with its missing upstream builds changes as the upstream is built: its
  // config may name any upstream asset (so that a queued run planned again stays valid).
  const upstream =
    partitions.kind === "stale" && partitions.includeMissingUpstream === true
      ? definitions.graph.upstreamOf(keys)
      : new Set<string>();
  const named = Object.keys(given).filter((k) => upstream.has(k) && !keys.includes(k));
  return resolveRunConfig(
    [...keys, ...named].map((k) => definitions.get(k)),
    given,
    { stored: request.configStored === true },
  );
}

/**
 * A checks-only run: one step per asset and partition chunk as for a materialisation, none
 * waiting for another (checks read what is stored, they build nothing).
 */
function prepareCheckRun(
  definitions: Definitions<unknown>,
  request: MaterializeRequest,
  selected: readonly string[],
  now: Date,
): PreparedRun {
  if (request.partitions.kind === "stale")
    throw new SelectionError(
      "checks run on partitions named by --partition or --from/--to, not --stale",
    );
  const checked = selected.filter((k) => definitions.checksOf(k).length > 0);
  if (checked.length === 0)
    throw new SelectionError(
      `no check to run: none of ${selected.length === 1 ? selected[0] : `the ${selected.length} selected assets`} has a check defined with defineCheck (checks a materialisation reports run with it)`,
    );
  const targets = resolvePartitionRequest(definitions, checked, request.partitions, now);
  const steps = plan(definitions, targets, now).steps.map((s) => ({
    ...s,
    key: `check:${s.key}`,
    dependsOn: [],
    checksOnly: true,
  }));
  return {
    selection: request.selection,
    assetKeys: definitions.graph.sortTopologically(targets.keys()),
    partitions: request.partitions,
    plan: { steps },
    leftOut: [],
    // Checks read what is stored and are given no config: none is validated, none stored.
    config: {},
  };
}

/**
 * The statuses `prepareRun` needs for a request: computed from storage for a `stale` request,
 * undefined (nothing read) for any other.
 */
export async function statusesFor(
  definitions: Definitions<unknown>,
  storage: Pick<Storage, "getAssetSummaries">,
  request: Pick<MaterializeRequest, "partitions">,
  now: Date,
): Promise<ReadonlyMap<string, StatusSubsets> | undefined> {
  if (request.partitions.kind !== "stale") return undefined;
  return computeStatus(definitions, await storage.getAssetSummaries(), now);
}

/** Ids of the runs this process started (so recovery never mistakes them for orphans). */
export const runsStartedHere = new Set<string>();

export interface RunResult {
  readonly runId: string;
  readonly outcome: RunOutcome;
  readonly failedSteps: readonly string[];
  /** Steps not run (after a failure, a cancellation or a hold). */
  readonly skippedSteps: readonly string[];
  /** Of the skipped steps, those held because what they read failed an `error` check. */
  readonly heldSteps: readonly string[];
  /** Why the run failed, as recorded on it (undefined unless it failed). */
  readonly error: string | undefined;
}

/** How a run's execution is wired (shared by in-process runs and runs a worker claimed). */
export interface ExecutionOptions {
  definitions: Definitions<unknown>;
  storage: Storage;
  prepared: PreparedRun;
  /** Where the definitions' resources come from (see `Definitions.resolveResources`). */
  environment?: ResourceEnvironment;
  /** The run's tags (what the assets see as `ctx.runTags`). */
  tags?: Record<string, string>;
  concurrency?: number;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent, runId: string) => void;
}

/**
 * Creates a run for a prepared request and executes it in this process, persisting every
 * event. `onEvent` sees the events as they happen (progress bars, live logs).
 */
export async function executeRun(
  options: ExecutionOptions & {
    /** What launches the run (recorded with it; unknown when left out). */
    launchedBy?: LaunchedBy;
    onRunCreated?: (runId: string) => void;
    /**
     * Records the run as STARTED (default `storage.createRun`); may wait first, e.g. for a slot
     * of the run's pools.
     */
    createRun?: (run: NewRun) => Promise<void>;
    /** The run's lease, renewed while it executes (default `DEFAULT_LOCAL_LEASE_MS`). */
    leaseMs?: number;
  },
): Promise<RunResult> {
  const { storage, prepared } = options;
  const resources = await options.definitions.resolveResources(
    options.environment ?? { databaseUrl: "", home: "" },
  );
  const runId = randomUUID();
  const leaseMs = options.leaseMs ?? DEFAULT_LOCAL_LEASE_MS;
  runsStartedHere.add(runId);
  const run: NewRun = {
    id: runId,
    status: "STARTED",
    selection: prepared.selection,
    assetKeys: prepared.assetKeys,
    partitionSpec: { ...prepared.partitions },
    config: prepared.config,
    tags: options.tags ?? {},
    hostname: hostname(),
    pid: process.pid,
    leaseMs,
    ...(options.launchedBy ? { launchedBy: options.launchedBy } : {}),
  };
  if (options.createRun) await options.createRun(run);
  else await storage.createRun(run);
  options.onRunCreated?.(runId);
  // Cancelled by the caller's signal, or through the lease (a cancel asked for elsewhere).
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener("abort", onAbort, { once: true });
  const stopLease = keepLocalLease(storage, runId, leaseMs, (reason) => controller.abort(reason));
  try {
    return await executeCreatedRun({
      ...options,
      signal: controller.signal,
      runId,
      resources,
      finish: (outcome, error) => storage.setRunStatus(runId, outcome, error),
      end: (outcome, error, events) => storage.endRun(runId, outcome, error, events),
    });
  } finally {
    stopLease();
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Executes a run whose row exists (created here, or claimed from the queue by a worker): the
 * run's events from RUN_START to its outcome, then `finish` records the outcome.
 */
export async function executeCreatedRun(
  options: ExecutionOptions & {
    runId: string;
    resources: unknown;
    finish: (outcome: RunOutcome, error: string | undefined) => Promise<void>;
    /**
     * Writes the run's last events, clears its running marks and records its outcome at once
     * (`Storage.endRun`); without it, or when it fails, they are written one after the other and
     * `finish` records the outcome.
     */
    end?: (outcome: RunOutcome, error: string | undefined, events: RunEvent[]) => Promise<void>;
  },
): Promise<RunResult> {
  const { storage, prepared, runId } = options;
  const writer = new EventWriter(storage, runId);
  const emit = (event: RunEvent): void => {
    writer.write(event);
    options.onEvent?.(event, runId);
  };
  const partitionText = describePartitionRequest(prepared.partitions);
  emit({
    type: "RUN_START",
    level: "info",
    message: `Run started: ${prepared.plan.steps.length} step(s) for ${prepared.selection}${
      partitionText ? ` [${partitionText}]` : ""
    }`,
    data: { steps: prepared.plan.steps.length, assetKeys: prepared.assetKeys },
    timestamp: new Date(),
  });

  let outcome: RunOutcome = "FAILURE";
  let failedSteps: readonly string[] = [];
  let heldSteps: readonly string[] = [];
  let skippedSteps: readonly string[] = [];
  let error: string | undefined;
  try {
    // The keys of dynamic partitions as the run starts: keys added later are not seen by this
    // run. Read inside the try: a failed read fails the run instead of leaving it STARTED.
    const definitions = await loadDynamicPartitions(options.definitions, storage);
    await checkPartitionsLayouts(definitions, storage, prepared.assetKeys);
    const result = await executePlan({
      runId,
      plan: prepared.plan,
      definitions,
      storage,
      resources: options.resources,
      emit,
      ...(options.tags ? { tags: options.tags } : {}),
      config: prepared.config,
      holdOnStoredChecks: AUTOMATION_TRIGGERS.has(options.tags?.trigger ?? ""),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    outcome = result.outcome;
    failedSteps = result.failed;
    heldSteps = result.held.map((h) => h.stepKey);
    skippedSteps = result.skipped;
    if (outcome === "FAILURE") {
      const failures = [...result.failures, ...result.checkFailures];
      // Held only by checks that failed before this run: the holds are the reason.
      error = failures.length > 0 ? runError(failures, result.held) : runError(result.held);
    }
  } catch (e) {
    error = `the run could not complete: ${redactMachinePaths((e as Error).message)}`;
  }
  const type =
    outcome === "SUCCESS" ? "RUN_SUCCESS" : outcome === "CANCELED" ? "RUN_CANCELED" : "RUN_FAILURE";
  emit({
    type,
    level: outcome === "SUCCESS" ? "info" : outcome === "CANCELED" ? "warn" : "error",
    message:
      outcome === "SUCCESS"
        ? "Run succeeded"
        : outcome === "CANCELED"
          ? "Run cancelled"
          : `Run failed: ${error}`,
    timestamp: new Date(),
  });
  if (options.end && (await endAtOnce(writer, options.end, outcome, error))) {
    return { runId, outcome, failedSteps, skippedSteps, heldSteps, error };
  }
  try {
    await writer.flush();
    await storage.clearRunning(runId);
  } finally {
    // The outcome is recorded even if the log or the marks could not be written: a run that
    // succeeded is never left to look abandoned (and be executed again).
    await options.finish(outcome, error);
  }
  return { runId, outcome, failedSteps, skippedSteps, heldSteps, error };
}

/**
 * The run's end in one write (`end`); false when it could not be written, and then nothing of
 * it was: the events not written yet are back in the writer, for the write after another.
 */
async function endAtOnce(
  writer: EventWriter,
  end: NonNullable<Parameters<typeof executeCreatedRun>[0]["end"]>,
  outcome: RunOutcome,
  error: string | undefined,
): Promise<boolean> {
  let rest: RunEvent[];
  try {
    rest = await writer.takeRest();
  } catch {
    return false;
  }
  try {
    await end(outcome, error, rest);
    return true;
  } catch {
    for (const event of rest) writer.write(event);
    return false;
  }
}

/**
 * A failed run's error: what went wrong in its first failed step (in plan order), then which
 * other steps failed, e.g. `raw/offres[2024-08-01] failed: offres-2024-08-01.ndjson line 12: …
 * (and 2 more step(s): …)`. The events of each step tell the rest.
 */
export function runError(
  failures: readonly StepFailure[],
  held: readonly StepFailure[] = [],
): string {
  const [first, ...others] = failures;
  if (!first) return "the run failed";
  if (held.length > 0) {
    // A failed check: the step succeeded (its data is written), what reads it was held.
    const more = held.length > 1 ? ` and ${held.length - 1} more step(s)` : "";
    return `${first.stepKey}: ${first.error}; held ${held[0]!.stepKey}${more}: ${held[0]!.error}`;
  }
  // A long backfill can fail hundreds of steps: name a few, count the rest.
  const named = others.slice(0, 5).map((f) => f.stepKey);
  if (others.length > named.length) named.push("…");
  const more = others.length > 0 ? ` (and ${others.length} more step(s): ${named.join(", ")})` : "";
  return `${first.stepKey} failed: ${first.error}${more}`;
}
