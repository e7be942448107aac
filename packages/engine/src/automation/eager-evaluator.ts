import { describePartitionRequest, serializePartitionRequest } from "../planning/partition-request";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { computeStatus } from "../status/asset-status";
import { queuedRunFor, type AutomationContext } from "./automation-context";
import type { SensorTickStatus } from "./automation-store";
import { eagerDecision } from "./eager";
import { automationRunId } from "./run-id";
import { EAGER_TICK_NAME } from "../definitions/sensor";

export interface EagerOutcome {
  readonly status: SensorTickStatus;
  /** The run queued, if any. */
  readonly runId: string | undefined;
  readonly message: string;
}

/**
 * Eager automation, one evaluation: reads every asset's status, decides what follows new
 * upstream data (`eagerDecision`) and queues it as one run. Its id is derived from the request
 * and the latest materialisation id, so two schedulers looking at the same state queue one run;
 * while that run is queued or running its assets are busy, so nothing is asked twice.
 *
 * Evaluations are recorded in the sensor history under the name `eager`: every one that queued
 * a run or failed; one that did nothing only when what it saw differs from the previous one
 * (`lastSkip` carries that between calls), so that an idle platform does not fill the table.
 */
export async function evaluateEager(
  ctx: AutomationContext,
  now: Date,
  lastSkip: { signature: string | undefined },
): Promise<EagerOutcome | undefined> {
  const { store } = ctx;
  if (ctx.definitions.eagerAssets.length === 0) return undefined;
  const definitions = await loadDynamicPartitions(ctx.definitions, ctx.storage);
  const disabled = new Set(
    (await store.listStates()).filter((s) => s.kind === "eager" && !s.enabled).map((s) => s.name),
  );
  const [summaries, active, watermark] = await Promise.all([
    ctx.storage.getAssetSummaries(),
    store.activeRuns(),
    store.latestMaterializationId(),
  ]);
  const statuses = computeStatus(definitions, summaries, now);
  const activeAssets = new Set(active.flatMap((r) => r.assetKeys));
  for (const [key, status] of statuses) {
    if (!status.subsets.RUNNING.isEmpty) activeAssets.add(key);
  }
  const cursor = String(watermark);
  const skip = async (reason: string): Promise<EagerOutcome> => {
    const signature = `${cursor}\u0000${reason}`;
    if (lastSkip.signature !== signature) {
      await store.recordSensorTick({
        sensor: EAGER_TICK_NAME,
        status: "SKIPPED",
        message: reason,
        cursor,
        runs: [],
      });
      lastSkip.signature = signature;
    }
    return { status: "SKIPPED", runId: undefined, message: reason };
  };

  const decision = eagerDecision({ definitions, statuses, activeAssets, disabled, now });
  if (decision.kind === "skip") return skip(decision.reason);
  const id = automationRunId([
    "eager",
    decision.selection,
    JSON.stringify(serializePartitionRequest(decision.partitions)),
    cursor,
  ]);
  // The same request since the last materialisation was already made: once is enough, even if
  // that run was cancelled or failed (a new materialisation upstream asks again).
  const existing = await store.runStatus(id);
  if (existing !== undefined)
    return skip(`already requested: run ${id} (${existing.toLowerCase()})`);
  const queued = await queuedRunFor(
    ctx,
    {
      id,
      selection: decision.selection,
      partitions: decision.partitions,
      tags: { trigger: "eager" },
      launchedBy: { kind: "eager", detail: null },
    },
    now,
  );
  const what = describePartitionRequest(decision.partitions);
  const request = `${decision.selection}${what ? ` [${what}]` : ""}`;
  if ("problem" in queued) {
    // Nothing stale any more by the time the run was prepared: the same as nothing to do.
    if (queued.code === "NOTHING_TO_MATERIALIZE") return skip(queued.problem);
    await store.recordSensorTick({
      sensor: EAGER_TICK_NAME,
      status: "FAILURE",
      message: `${request}: ${queued.problem}`,
      cursor,
      runs: [],
    });
    lastSkip.signature = undefined;
    ctx.log(`eager automation: ${request} refused: ${queued.problem}`);
    return { status: "FAILURE", runId: undefined, message: queued.problem };
  }
  await store.recordSensorTick({
    sensor: EAGER_TICK_NAME,
    status: "SUCCESS",
    message: request,
    cursor,
    runs: [queued.run],
  });
  lastSkip.signature = undefined;
  ctx.log(`eager automation: queued run ${id} (${request})`);
  return { status: "SUCCESS", runId: id, message: request };
}
