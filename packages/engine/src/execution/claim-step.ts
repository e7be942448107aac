import type { Definitions } from "../definitions/definitions";
import { partitionKeys } from "../partitions/definition";
import type { StepMember } from "../planning/plan";
import type { ClaimedInputs, InputRead, PartitionHolder, Storage } from "../storage/storage";

/** How often a step waiting for partitions asks again (ms). */
export const CLAIM_POLL_MS = 500;

export interface ClaimStepOptions {
  readonly runId: string;
  readonly storage: Pick<Storage, "claimPartitions">;
  readonly definitions: Definitions<unknown>;
  readonly signal: AbortSignal;
  /** Told each time the step starts waiting for another run (not at every poll). */
  readonly onWait: (holder: PartitionHolder, message: string) => void;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly pollMs?: number;
  /** Upstream data the step reads, read with the claim that succeeds. */
  readonly reads?: readonly InputRead[];
}

/**
 * Claims every partition a step materialises before it runs: while another live run is
 * materialising some of them, the step waits for it (holding none of its own partitions, so two
 * waiting runs never wait on each other), then claims them all at once. Resolves to the
 * materialisation watermark and the `reads`, as of one snapshot; rejects with the signal's
 * reason when the run is cancelled.
 */
export async function claimStep(
  members: readonly StepMember[],
  options: ClaimStepOptions,
): Promise<{ watermark: number; inputs: ClaimedInputs }> {
  const claims = members.map((m) => ({ assetKey: m.assetKey, partitions: m.partitions }));
  let waitingFor: string | undefined;
  for (;;) {
    options.signal.throwIfAborted();
    const outcome = await options.storage.claimPartitions(options.runId, claims, options.reads);
    if (outcome.claimed) return { watermark: outcome.watermark, inputs: outcome.inputs };
    const message = `Waiting for run ${outcome.holder.runId}, which is materialising ${describeHolder(
      outcome.holder,
      options.definitions,
    )}`;
    if (message !== waitingFor) options.onWait(outcome.holder, message);
    waitingFor = message;
    await options.sleep(options.pollMs ?? CLAIM_POLL_MS, options.signal);
  }
}

/** `raw/offres[2024-08-01]`, `raw/offres[2024-08-01…2024-08-03]`, or the key of an unpartitioned asset. */
function describeHolder(holder: PartitionHolder, definitions: Definitions<unknown>): string {
  const def = definitions.has(holder.assetKey)
    ? definitions.get(holder.assetKey).partitions
    : undefined;
  if (!def) return holder.assetKey;
  const keys = partitionKeys(def, holder.partitions);
  if (keys.length === 0) return holder.assetKey;
  return keys.length === 1
    ? `${holder.assetKey}[${keys[0]}]`
    : `${holder.assetKey}[${keys[0]}…${keys[keys.length - 1]}] (${keys.length} partitions)`;
}
