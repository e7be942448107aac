/**
 * One materialisation of one partition, as the event log keeps it. Declared with the
 * definitions because user code reads it (a sensor's `latestMaterializations`); storage writes
 * and returns it.
 */
export interface MaterializationRecord {
  readonly id: number;
  readonly runId: string;
  readonly assetKey: string;
  readonly partitionKey: string;
  readonly dataVersion: string;
  readonly codeVersion: string;
  readonly inputVersions: Record<string, string>;
  readonly metadata: Record<string, unknown>;
  readonly createdAt: Date;
}
