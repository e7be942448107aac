/**
 * Which partitions a run asks for. `stale` asks, per asset, for the partitions that are MISSING,
 * STALE or FAILED when the run is prepared (so re-executing it asks again); with `from` and `to`,
 * only those of that range (unpartitioned assets: when they are not FRESH). It leaves out those
 * waiting on upstream partitions never materialised, unless `includeMissingUpstream` adds them.
 *
 * Declared here, below everything, because schedules and sensors (definitions/) return it as
 * much as the API, the CLI and workers read it; its parser and resolution live in
 * planning/partition-request.ts.
 */
export type PartitionRequest =
  | { readonly kind: "none" }
  | { readonly kind: "single"; readonly key: string }
  | { readonly kind: "range"; readonly from: string; readonly to: string }
  | {
      readonly kind: "stale";
      readonly from?: string;
      readonly to?: string;
      readonly includeMissingUpstream?: boolean;
    };
