import { expect } from "vitest";
import { partitionBounds, type PartitionsDefinition } from "./definition";
import { IntervalSet } from "./interval-set";
import {
  downstreamPartitionsFor,
  timeWindowMapping,
  upstreamPartitionsFor,
  type PartitionMapping,
} from "./mapping";

/**
 * For tests: for each (downstream, upstream) pair and each mapping, a downstream partition reads
 * an upstream one exactly when that upstream partition is read by it, checked one by one over
 * `span` downstream partitions from the `skip`-th, and the upstream ones they read at offset 0
 * widened by `margin` on each side.
 */
export function expectInverseMappings(options: {
  readonly pairs: readonly (readonly [PartitionsDefinition, PartitionsDefinition])[];
  readonly mappings: readonly PartitionMapping[];
  readonly now: Date;
  readonly skip: number;
  readonly span: number;
  readonly margin: number;
}): void {
  const { now, skip, span, margin } = options;
  const m0 = timeWindowMapping({ offset: 0 });
  for (const [downDef, upDef] of options.pairs) {
    const d0 = partitionBounds(downDef, now).first + skip;
    const ups = upstreamPartitionsFor(
      m0,
      IntervalSet.fromRange(d0, d0 + span),
      upDef,
      now,
      downDef,
    );
    for (const m of options.mappings) {
      for (let d = d0; d < d0 + span; d++) {
        for (let u = ups.first! - margin; u <= ups.last! + margin; u++) {
          const upOfD = upstreamPartitionsFor(m, IntervalSet.single(d), upDef, now, downDef).has(u);
          const downOfU = downstreamPartitionsFor(
            m,
            IntervalSet.single(u),
            downDef,
            now,
            upDef,
          ).has(d);
          expect(
            downOfU,
            `${downDef.kind} ← ${upDef.kind} ${JSON.stringify(m)} d=${d} u=${u}`,
          ).toBe(upOfD);
        }
      }
    }
  }
}
