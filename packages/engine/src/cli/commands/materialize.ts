import cliProgress from "cli-progress";
import { checkPartitionsLayouts } from "../../execution/check-partitions-layouts";
import { loadDynamicPartitions } from "../../storage/dynamic-partitions/load-dynamic-partitions";
import type { Definitions } from "../../definitions/definitions";
import {
  CHECKS_ONLY_TAG,
  executeRun,
  prepareRun,
  statusesFor,
  type PreparedRun,
} from "../../execution/launch";
import {
  confirmLimitFromEnv,
  partitionCounts,
  requireConfirmation,
} from "../../planning/confirmation";
import {
  partitionRequestFromFields,
  type PartitionFieldNames,
} from "../../planning/partition-request";
import { stepMembers } from "../../planning/plan";
import { describeLeftOut } from "../../planning/stale-targets";
import { admitLocalRun } from "../../queue/admit-local-run";
import { poolsOf } from "../../queue/pools";
import { limitsFor, queueSettingsFromEnv } from "../../queue/settings";
import type { Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { osUser } from "../os-user";
import { readConfigOption } from "../config-option";
import { progressLine } from "../progress-line";
import { handOverSignals } from "../signal-handover";

export interface MaterializeOptions {
  readonly select: string;
  readonly partition?: string;
  readonly from?: string;
  readonly to?: string;
  readonly stale?: boolean;
  /** With `stale`: the missing upstream partitions they wait on too. */
  readonly withUpstream?: boolean;
  readonly json?: boolean;
  /** Prints the assets' log and each materialisation as the run goes (see `progressLine`). */
  readonly log?: boolean;
  readonly concurrency?: number;
  /** Confirms a run over more partitions than may be started without asking. */
  readonly yes?: boolean;
  /** The run's config: JSON, or the path of a JSON file (see `readConfigOption`). */
  readonly config?: string;
  /** Evaluates the selected assets' checks instead, materialising nothing (`lignee check`). */
  readonly checksOnly?: boolean;
}

/** The partition flags of `lignee materialize`, as its messages spell them. */
export const PARTITION_FLAGS: PartitionFieldNames = {
  partition: "--partition",
  from: "--from",
  to: "--to",
  stale: "--stale",
  includeMissingUpstream: "--with-upstream",
};

/**
 * `lignee materialize`: validates and plans first (bad input, or nothing stale with `--stale`:
 * exit 2, no run created), then runs in this process with a progress bar on multi-step work.
 * Exit 0 on success, 1 otherwise.
 */
export async function materializeCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: MaterializeOptions,
  io: CliIo,
): Promise<number> {
  definitions = await loadDynamicPartitions(definitions, runtime.storage);
  const now = new Date();
  const request = {
    selection: options.select,
    partitions: partitionRequestFromFields(
      { ...options, includeMissingUpstream: options.withUpstream },
      PARTITION_FLAGS,
    ),
    checksOnly: options.checksOnly === true,
    ...(options.config !== undefined ? { config: readConfigOption(options.config) } : {}),
  };
  const prepared = prepareRun(
    definitions,
    request,
    now,
    await statusesFor(definitions, runtime.storage, request, now),
  );
  // Refused before a run exists: an asset whose partitions changed under its history.
  await checkPartitionsLayouts(definitions, runtime.storage, prepared.assetKeys);
  requireConfirmation(definitions, partitionCounts(prepared.plan), {
    confirmed: options.yes === true,
    limit: confirmLimitFromEnv(process.env),
  });
  const total = prepared.plan.steps.length;
  if (request.partitions.kind === "stale" && !options.json) {
    io.err(`materialising what is missing, stale or failed: ${describeTargets(prepared)}`);
    if (prepared.leftOut.length > 0) {
      io.err(`${describeLeftOut(prepared.leftOut)} (--with-upstream builds it too)`);
    }
  }
  const bar =
    io.interactive && !options.json && !options.log && total > 1
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: "{bar} {value}/{total} steps | {step}",
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const controller = new AbortController();
  // Ctrl-C ends the run CANCELED, not embedded PostgreSQL (see handOverSignals); a second one
  // gets Node's default and exits.
  const handover = handOverSignals(["SIGINT"], () => {
    io.err("\ncancelling the run (Ctrl-C again to force)…");
    handover.stopListening();
    controller.abort(new Error("cancelled by the user"));
  });
  let done = 0;
  try {
    const result = await executeRun({
      definitions,
      storage: runtime.storage,
      prepared,
      environment: { databaseUrl: runtime.databaseUrl, home: runtime.home },
      signal: controller.signal,
      leaseMs: queueSettingsFromEnv(process.env).leaseMs,
      launchedBy: { kind: "cli", detail: osUser() },
      ...(options.checksOnly ? { tags: { [CHECKS_ONLY_TAG]: "true" } } : {}),
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      createRun: async (run) => {
        const pools = poolsOf(definitions, prepared.assetKeys);
        if (pools.length === 0) {
          await runtime.storage.createRun(run);
          return;
        }
        await admitLocalRun(run, {
          databaseUrl: runtime.databaseUrl,
          pools,
          limits: limitsFor(definitions.pools, queueSettingsFromEnv(process.env)),
          signal: controller.signal,
          onWait: (full) => {
            if (options.json) return;
            for (const p of full) {
              io.err(
                `waiting for a slot of pool ${p.pool} (limit ${p.limit}), held by run ${p.runIds.join(", ")}`,
              );
            }
          },
        });
      },
      onRunCreated: (runId) => {
        if (!options.json) io.err(`run ${runId}: ${total} step(s)`);
        bar?.start(total, 0, { step: "" });
      },
      onEvent: (event) => {
        const line = options.log && !options.json ? progressLine(event) : undefined;
        if (line !== undefined) io.err(line);
        if (
          event.type === "STEP_SUCCESS" ||
          event.type === "STEP_FAILURE" ||
          event.type === "STEP_SKIPPED"
        ) {
          done++;
          bar?.update(done, { step: event.stepKey ?? "" });
        }
        if (event.type === "STEP_WAITING" && !options.json) {
          bar?.stop();
          io.err(`${event.stepKey ?? ""}: ${event.message}`);
          if (bar && done < total) bar.start(total, done, { step: event.stepKey ?? "" });
        }
        const failureLine =
          event.type === "STEP_FAILURE" ||
          event.type === "STEP_RETRY" ||
          (event.type === "CHECK_EVALUATION" && event.level !== "info" && !options.log) ||
          (event.type === "LOG" && event.level === "error");
        if (!options.json && failureLine) {
          bar?.stop();
          const label =
            event.type === "STEP_RETRY"
              ? "retry"
              : event.type === "LOG"
                ? "error"
                : event.type === "CHECK_EVALUATION"
                  ? "check"
                  : "failed";
          io.err(
            `${label}: ${event.type === "LOG" && event.assetKey ? `${event.assetKey}: ` : ""}${event.message}`,
          );
          if (bar && done < total) bar.start(total, done, { step: event.stepKey ?? "" });
        }
      },
    });
    bar?.stop();
    if (options.json) {
      io.out(
        JSON.stringify({
          runId: result.runId,
          status: result.outcome,
          steps: total,
          failedSteps: result.failedSteps,
          heldSteps: result.heldSteps,
          ...(result.error !== undefined ? { error: result.error } : {}),
          leftOut: prepared.leftOut,
        }),
      );
    } else {
      const done = total - result.failedSteps.length - result.skippedSteps.length;
      const held =
        result.heldSteps.length > 0 ? `, ${result.heldSteps.length} held by failed checks` : "";
      io.out(`run ${result.runId} ${result.outcome} (${done}/${total} steps${held})`);
      if (result.error !== undefined) io.err(`error: ${result.error}`);
    }
    return result.outcome === "SUCCESS" ? 0 : 1;
  } finally {
    bar?.stop();
    handover.restore();
  }
}

/** `raw/events (3 partitions), marts/summary`: each asset of the plan, with its partition count. */
function describeTargets(prepared: PreparedRun): string {
  const partitions = new Map<string, number>();
  for (const step of prepared.plan.steps) {
    for (const m of stepMembers(step)) {
      partitions.set(m.assetKey, (partitions.get(m.assetKey) ?? 0) + m.partitionKeys.length);
    }
  }
  return [...partitions]
    .map(([key, n]) => (n === 0 ? key : `${key} (${n} partition${n === 1 ? "" : "s"})`))
    .join(", ");
}
