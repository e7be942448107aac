import { randomUUID } from "node:crypto";
import {
  dayIn,
  formatDateKey,
  type Definitions,
  type MetadataValue,
  type PostgresStorage,
} from "@lignee/engine";

/**
 * Writes history straight into storage, as runs would have left it, without running anything:
 * for API and browser tests of what the UI shows about partitions.
 */

/** A calendar day in Europe/Paris, `n` days before today there: day(1) is yesterday. */
export function day(n: number, now = new Date()): { key: string; index: number } {
  const index = dayIn("Europe/Paris", now) - n;
  return { key: formatDateKey(index), index };
}

/** A finished run (SUCCESS) of the given assets; resolves to its id. */
export async function seedRun(
  storage: PostgresStorage,
  assetKeys: readonly string[],
  tags: Record<string, string> = {},
): Promise<string> {
  const id = randomUUID();
  await storage.createRun({
    id,
    status: "SUCCESS",
    selection: assetKeys.join(" "),
    assetKeys,
    partitionSpec: null,
    tags,
    hostname: "test",
    pid: process.pid,
  });
  return id;
}

/**
 * One materialisation of partitions of an asset by a run, with the asset's current code version
 * and dependencies unless told otherwise (an older code version makes them stale).
 */
export async function seedMaterialization(
  storage: PostgresStorage,
  definitions: Definitions<unknown>,
  options: {
    readonly runId: string;
    readonly assetKey: string;
    /** Keys and indices (`day(n)`); an unpartitioned asset's one partition is `{ key: "", index: 0 }`. */
    readonly partitions: readonly { key: string; index: number }[];
    readonly metadata?: Record<string, MetadataValue>;
    readonly codeVersion?: string;
    /** The partitions layout recorded with it (see `partitionsLayout`); none by default. */
    readonly partitionsLayout?: string;
  },
): Promise<void> {
  await storage.recordMaterialization({
    runId: options.runId,
    assetKey: options.assetKey,
    codeVersion: options.codeVersion ?? definitions.get(options.assetKey).codeVersion,
    depsSignature: definitions.depsSignature(options.assetKey),
    partitions: options.partitions.map((p) => ({
      key: p.key,
      index: p.index,
      dataVersion: `${options.runId}:${p.index}`,
      inputVersions: {},
    })),
    metadata: options.metadata ?? {},
    invalidates: [],
    readSince: { watermark: Number.MAX_SAFE_INTEGER, upstream: [] },
    ...(options.partitionsLayout !== undefined
      ? { partitionsLayout: options.partitionsLayout }
      : {}),
  });
}
