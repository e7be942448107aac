import type { Context } from "hono";
import { checkPartitionsLayouts } from "../execution/check-partitions-layouts";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import type { Definitions } from "../definitions/definitions";
import type { RunConfig } from "../definitions/run-config";
import {
  CHECKS_ONLY_TAG,
  prepareRun,
  statusesFor,
  type MaterializeRequest,
  type PreparedRun,
} from "../execution/launch";
import { confirmationTags, partitionCounts, requireConfirmation } from "../planning/confirmation";
import { ESTIMATE_SAMPLE, launchPreview, type LaunchPreview } from "../planning/launch-preview";
import type { LeftOut } from "../planning/stale-targets";
import type { PartitionRequest } from "../planning/partition-request";
import { poolsOf } from "../queue/pools";
import type { RunQueue } from "../queue/run-queue";
import type { LaunchedBy } from "../storage/launched-by";
import type { Storage } from "../storage/storage";
import { asBadRequest } from "./http-error";
import type { RunManager } from "./run-manager";

export interface RunStarterOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  readonly runs: RunManager;
  /** When set, runs are queued for workers instead of executing in this process. */
  readonly queue: { readonly queue: RunQueue; readonly maxAttempts: number } | undefined;
  /** Partitions of one asset a run may materialise without confirmation. */
  readonly confirmAbove: number;
}

export interface StartedRun {
  readonly runId: string;
  /** The request was identical to a queued run's, which is answered instead of a new one. */
  readonly merged: boolean;
  /** Partitions a stale request left out, waiting on upstream. */
  readonly leftOut?: readonly LeftOut[];
}

export type StartRun = (
  selection: string,
  partitions: PartitionRequest,
  tags: Record<string, string>,
  confirmation: { readonly confirmed: boolean },
  launchedBy: LaunchedBy,
  options?: {
    /** A checks-only run (`POST /api/checks/run`); a re-execution of one is too (its tag says so). */
    readonly checksOnly?: boolean;
    /** Per asset key (see `RunConfig`), validated with the rest: invalid config is a 400. */
    readonly config?: RunConfig;
    /** `config` is a run's stored config (a re-execution's): see `MaterializeRequest`. */
    readonly configStored?: boolean;
  },
) => Promise<StartedRun>;

/** What a request would materialise, validated as `StartRun` validates it; nothing is created. */
export type PreviewRun = (
  selection: string,
  partitions: PartitionRequest,
  config?: RunConfig,
) => Promise<LaunchPreview>;

/**
 * Previews runs for the API (`preview: true`): the same validation as `runStarter` (bad input,
 * nothing stale: a 400), then the partition counts, what is left out, and an estimate from the
 * durations of the assets' recent successful steps.
 */
export function runPreviewer(options: Omit<RunStarterOptions, "runs" | "queue">): PreviewRun {
  const { definitions, storage } = options;
  return async (selection, partitions, config) => {
    const prepared = await prepareOrBadRequest(definitions, storage, {
      selection,
      partitions,
      ...(config ? { config } : {}),
    });
    const durations = await storage.recentStepDurations(prepared.assetKeys, ESTIMATE_SAMPLE);
    return launchPreview(definitions, partitionCounts(prepared.plan), prepared.leftOut, durations, {
      limit: options.confirmAbove,
    });
  };
}

/**
 * Starts runs for the API (new runs and re-executions). Validates BEFORE anything is created: bad
 * input, or more work than may be started without confirmation, throws a 400 and no run row
 * exists. A request identical to a queued one is answered with that run.
 */
export function runStarter(options: RunStarterOptions): StartRun {
  const { definitions, storage } = options;
  return async (selection, partitions, given, confirmation, launchedBy, how) => {
    const checksOnly = how?.checksOnly ?? given[CHECKS_ONLY_TAG] === "true";
    const tags = checksOnly ? { ...given, [CHECKS_ONLY_TAG]: "true" } : given;
    const prepared = await prepareOrBadRequest(definitions, storage, {
      selection,
      partitions,
      checksOnly,
      ...(how?.config ? { config: how.config } : {}),
      ...(how?.configStored === true ? { configStored: true } : {}),
    });
    try {
      requireConfirmation(definitions, partitionCounts(prepared.plan), {
        confirmed: confirmation.confirmed,
        limit: options.confirmAbove,
      });
    } catch (error) {
      throw asBadRequest(error);
    }
    const leftOut = prepared.leftOut;
    if (options.queue) {
      const queued = await options.queue.queue.enqueueOrMerge(prepared, {
        tags: {
          ...tags,
          ...confirmationTags(partitions, {
            confirmed: confirmation.confirmed,
            limit: options.confirmAbove,
          }),
        },
        pools: poolsOf(definitions, prepared.assetKeys),
        maxAttempts: options.queue.maxAttempts,
        launchedBy,
      });
      return { ...queued, leftOut };
    }
    return { runId: await options.runs.start(prepared, tags, launchedBy), merged: false, leftOut };
  };
}

/** Plans a request against the assets' current statuses; bad input throws a 400. */
async function prepareOrBadRequest(
  definitions: Definitions<unknown>,
  storage: Storage,
  request: MaterializeRequest,
): Promise<PreparedRun> {
  const now = new Date();
  definitions = await loadDynamicPartitions(definitions, storage);
  const statuses = await statusesFor(definitions, storage, request, now);
  try {
    const prepared = prepareRun(definitions, request, now, statuses);
    // Refused before a run exists: an asset whose partitions changed under its history.
    await checkPartitionsLayouts(definitions, storage, prepared.assetKeys);
    return prepared;
  } catch (error) {
    throw asBadRequest(error);
  }
}

/** 201 with a new run's id; 200 with the queued run's when the request was merged into it. */
export function answerStarted(c: Context, started: StartedRun): Response {
  const leftOut = started.leftOut && started.leftOut.length > 0 ? { leftOut: started.leftOut } : {};
  return started.merged
    ? c.json({ runId: started.runId, merged: true as const, ...leftOut }, 200)
    : c.json({ runId: started.runId, ...leftOut }, 201);
}
