import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";

/**
 * The engine's tables, in their own PostgreSQL schema. Migrations under `./migrations` are
 * generated from this file (`pnpm --filter @lignee/engine db:generate`) and committed.
 *
 * Partition subsets are stored as `int4multirange` roll-ups per asset (materialised partitions
 * per code version, stale marks per upstream, failed and running partitions) so that the
 * status of thousands of assets with thousands of partitions is read without touching one row
 * per partition.
 */
export const lignee = pgSchema("lignee");

const int4multirange = customType<{ data: string; driverData: string }>({
  dataType: () => "int4multirange",
});

export const runs = lignee.table(
  "runs",
  {
    id: text("id").primaryKey(),
    status: text("status").notNull(),
    selection: text("selection").notNull(),
    assetKeys: jsonb("asset_keys").$type<string[]>().notNull(),
    partitionSpec: jsonb("partition_spec").$type<Record<string, unknown>>(),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    hostname: text("hostname"),
    pid: integer("pid"),
    error: text("error"),
  },
  (t) => [
    index("runs_created_at_idx").on(t.createdAt),
    index("runs_status_idx").on(t.status),
    // `asset_keys @> '["raw/offres"]'`: the runs of one asset without scanning every run.
    index("runs_asset_keys_idx").using("gin", t.assetKeys.op("jsonb_path_ops")),
  ],
);

export const events = lignee.table(
  "events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull().defaultNow(),
    type: text("type").notNull(),
    level: text("level").notNull(),
    stepKey: text("step_key"),
    assetKey: text("asset_key"),
    partitionKey: text("partition_key"),
    message: text("message").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>(),
  },
  (t) => [index("events_run_id_idx").on(t.runId, t.id)],
);

export const materializations = lignee.table(
  "materializations",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id").notNull(),
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull(),
    partitionIndex: integer("partition_index").notNull(),
    dataVersion: text("data_version").notNull(),
    codeVersion: text("code_version").notNull(),
    inputVersions: jsonb("input_versions").$type<Record<string, string>>().notNull(),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("materializations_asset_idx").on(t.assetKey, t.partitionIndex, t.id)],
);

/** Latest materialisation per (asset, partition). */
export const assetPartitions = lignee.table(
  "asset_partitions",
  {
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull(),
    partitionIndex: integer("partition_index").notNull(),
    materializationId: bigint("materialization_id", { mode: "number" }).notNull(),
    runId: text("run_id").notNull(),
    dataVersion: text("data_version").notNull(),
    versionHash: bigint("version_hash", { mode: "bigint" }).notNull(),
    codeVersion: text("code_version").notNull(),
    depsSignature: text("deps_signature").notNull(),
    materializedAt: timestamp("materialized_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.assetKey, t.partitionIndex] })],
);

export const assetVersionRanges = lignee.table(
  "asset_version_ranges",
  {
    assetKey: text("asset_key").notNull(),
    codeVersion: text("code_version").notNull(),
    depsSignature: text("deps_signature").notNull(),
    partitions: int4multirange("partitions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.assetKey, t.codeVersion, t.depsSignature] })],
);

export const assetStaleMarks = lignee.table(
  "asset_stale_marks",
  {
    assetKey: text("asset_key").notNull(),
    upstreamKey: text("upstream_key").notNull(),
    partitions: int4multirange("partitions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.assetKey, t.upstreamKey] })],
);

export const assetFailed = lignee.table("asset_failed", {
  assetKey: text("asset_key").primaryKey(),
  partitions: int4multirange("partitions").notNull(),
});

export const assetRunning = lignee.table(
  "asset_running",
  {
    assetKey: text("asset_key").notNull(),
    runId: text("run_id").notNull(),
    partitions: int4multirange("partitions").notNull(),
  },
  (t) => [primaryKey({ columns: [t.assetKey, t.runId] })],
);

/**
 * Per asset: XOR of one 64-bit hash per partition's (key, data version). Updated in O(1) per
 * materialisation; a downstream asset that read every partition stores the digest it consumed.
 */
export const assetDigests = lignee.table("asset_digests", {
  assetKey: text("asset_key").primaryKey(),
  digest: bigint("digest", { mode: "bigint" }).notNull(),
  partitionCount: integer("partition_count").notNull(),
  lastMaterializationId: bigint("last_materialization_id", { mode: "number" }).notNull(),
});

export const checkResults = lignee.table(
  "check_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    runId: text("run_id").notNull(),
    assetKey: text("asset_key").notNull(),
    partitionKey: text("partition_key").notNull().default(""),
    checkName: text("check_name").notNull(),
    passed: boolean("passed").notNull(),
    severity: text("severity").notNull(),
    description: text("description"),
    metadata: jsonb("metadata")
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("check_results_asset_idx").on(t.assetKey, t.checkName, t.id)],
);
