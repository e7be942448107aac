import type { IntervalSet } from "../partitions/interval-set";

/** What status computation needs to know about one asset, as partition subsets. */
export interface AssetStorageSummary {
  /** Materialised partitions, grouped by the code version and dependency list they were built with. */
  readonly versions: readonly {
    codeVersion: string;
    depsSignature: string;
    partitions: IntervalSet;
  }[];
  /** Partitions made stale by a newer upstream materialisation, per upstream asset. */
  readonly staleMarks: readonly { upstreamKey: string; partitions: IntervalSet }[];
  /** Partitions whose latest attempt failed. */
  readonly failed: IntervalSet;
  /** Partitions being materialised now. */
  readonly running: IntervalSet;
  /** The `partitionsLayout` the stored partitions were written with (unknown for old history). */
  readonly partitionsLayout?: string;
  /**
   * The enabled `error` checks of the asset whose latest result failed, and on which
   * partitions: what is downstream of those partitions is held (see `blocked-by-check`).
   */
  readonly failedChecks?: readonly {
    readonly checkName: string;
    readonly partitions: IntervalSet;
    readonly unindexedKeys?: readonly string[];
  }[];
}
