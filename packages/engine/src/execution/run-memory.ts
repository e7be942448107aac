import type { Definitions } from "../definitions/definitions";
import { IntervalSet } from "../partitions/interval-set";
import { stepMembers, type PlanStep } from "../planning/plan";
import type { ClaimedInputs, InputRead, PartitionClaim } from "../storage/storage";
import { versionHash } from "../storage/version-hash";

/**
 * What a run knows without asking storage: whether it claimed every partition of its plan at
 * its start, and what its own steps recorded (data versions, history ids). A step whose
 * partitions were claimed at the start and whose inputs were all built earlier in the run takes
 * them from here instead of claiming and reading them again.
 *
 * The watermark of such a step is the latest materialisation the run recorded before it started
 * (or the run's claim's, if later): what it read upstream was recorded by the run itself, so a
 * materialisation of those inputs after the watermark is another run's, and makes the step's
 * output stale as when the step claimed on its own.
 */
export class RunMemory {
  private watermark: number;
  private readonly versions = new Map<string, Map<number, string>>();

  private constructor(
    /** Every partition the plan materialises was claimed at the run's start. */
    readonly claimedAtStart: boolean,
    watermark: number,
  ) {
    this.watermark = watermark;
  }

  /** A run whose steps claim their partitions one by one. */
  static perStep(): RunMemory {
    return new RunMemory(false, 0);
  }

  /** A run that claimed all its partitions at its start, at `watermark`. */
  static claimedAtStart(watermark: number): RunMemory {
    return new RunMemory(true, watermark);
  }

  /** A step of the run recorded `dataVersion` for `partitions` of `assetKey` (history `ids`). */
  remember(
    assetKey: string,
    partitions: IntervalSet,
    dataVersion: string,
    ids: readonly number[],
  ): void {
    const of = this.versions.get(assetKey) ?? new Map<number, string>();
    for (const i of partitions) of.set(i, dataVersion);
    this.versions.set(assetKey, of);
    for (const id of ids) if (id > this.watermark) this.watermark = id;
  }

  /**
   * The watermark and inputs of a step reading `reads`, when the run claimed its partitions at
   * its start and built everything it reads; undefined otherwise (the step claims on its own).
   * An all-partitions read is known only of an unpartitioned asset (its digest is its one
   * partition's hash); a partitioned one's digest covers partitions the run did not build.
   */
  known(
    reads: readonly InputRead[],
    definitions: Definitions<unknown>,
  ): { watermark: number; inputs: ClaimedInputs } | undefined {
    if (!this.claimedAtStart) return undefined;
    const versions = new Map<string, Map<number, string>>();
    const digests = new Map<string, { digest: string; partitionCount: number }>();
    for (const read of reads) {
      const built = this.versions.get(read.assetKey);
      if (!built) return undefined;
      if (read.partitions === "all") {
        if (definitions.get(read.assetKey).partitions || built.size !== 1) return undefined;
        const [[, dataVersion]] = [...built] as [[number, string]];
        digests.set(read.assetKey, {
          digest: String(versionHash("", dataVersion)),
          partitionCount: 1,
        });
        continue;
      }
      const of = versions.get(read.assetKey) ?? new Map<number, string>();
      for (const i of read.partitions) {
        const v = built.get(i);
        if (v === undefined) return undefined;
        of.set(i, v);
      }
      versions.set(read.assetKey, of);
    }
    return { watermark: this.watermark, inputs: { versions, digests } };
  }
}

/**
 * Every partition the steps materialise, one claim per asset; empty when fewer than `minSteps`
 * steps materialise (a claim of its own for a single step, which reads its inputs with it,
 * costs no more than one at the start).
 */
export function runClaims(steps: readonly PlanStep[], minSteps = 2): PartitionClaim[] {
  const building = steps.filter((s) => !s.checksOnly);
  if (building.length < Math.max(1, minSteps)) return [];
  const byAsset = new Map<string, IntervalSet>();
  for (const step of building)
    for (const m of stepMembers(step))
      byAsset.set(m.assetKey, (byAsset.get(m.assetKey) ?? IntervalSet.EMPTY).union(m.partitions));
  return [...byAsset].map(([assetKey, partitions]) => ({ assetKey, partitions }));
}
