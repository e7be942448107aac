import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
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
    // The run queue: QUEUED runs are claimed by workers (FOR UPDATE SKIP LOCKED), which hold a
    // lease they renew by heartbeat; a run whose lease expired is retried up to max_attempts.
    attempt: integer("attempt").notNull().default(1),
    maxAttempts: integer("max_attempts").notNull().default(1),
    workerId: text("worker_id"),
    leaseExpiresAt: timestamp("lease_expires_at", { withTimezone: true }),
    /** Concurrency pools the run takes a slot of (from its assets' `pool`). */
    pools: jsonb("pools").$type<string[]>().notNull().default([]),
    /** Set by a cancel request; the worker executing the run sees it at its next heartbeat. */
    cancelRequested: boolean("cancel_requested").notNull().default(false),
    backfillId: text("backfill_id"),
    /** What launched the run (`LaunchKind`) and which one (see `LaunchedBy`); null before 0004. */
    launchedBy: text("launched_by"),
    launchedByDetail: text("launched_by_detail"),
    /** The run's validated config, per asset key (`RunConfig`); `{}` before 0008. */
    config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [
    index("runs_created_at_idx").on(t.createdAt),
    // Claim order: runs of no backfill (asked for by hand, schedules, sensors) before backfill
    // chunks, then oldest first.
    index("runs_queued_idx")
      .on(sql`(${t.backfillId} IS NOT NULL)`, t.createdAt, t.id)
      .where(sql`status = 'QUEUED'`),
    index("runs_backfill_idx").on(t.backfillId),
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
 * Per asset, a counter every claim of its partitions increments (`sql/claim-partitions.ts`): a
 * claim that finds it moved since its snapshot lost a race with another claim, and tries again.
 */
export const assetClaims = lignee.table("asset_claims", {
  assetKey: text("asset_key").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
});

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

/**
 * Per asset: the layout of its partitions (`partitionsLayout`) its stored partition indices
 * were written with, so that a definition giving them other keys is refused, not misread.
 */
export const assetPartitionsLayouts = lignee.table("asset_partitions_layouts", {
  assetKey: text("asset_key").primaryKey(),
  layout: text("layout").notNull(),
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
    /** How long the evaluation took (null for results reported by a materialisation). */
    durationMs: integer("duration_ms"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("check_results_asset_idx").on(t.assetKey, t.checkName, t.id),
    index("check_results_partition_idx").on(t.assetKey, t.checkName, t.partitionKey, t.id),
  ],
);

/**
 * The latest result of each (asset, check, partition), maintained with each result written:
 * what holds the downstream ("latest error result failed") is read from here without scanning
 * the history, however many partitions and evaluations there are.
 */
export const checkLatest = lignee.table(
  "check_latest",
  {
    assetKey: text("asset_key").notNull(),
    checkName: text("check_name").notNull(),
    partitionKey: text("partition_key").notNull(),
    /** The partition's index (0 for an unpartitioned asset), to read failures as interval sets. */
    partitionIndex: integer("partition_index").notNull(),
    resultId: bigint("result_id", { mode: "number" }).notNull(),
    passed: boolean("passed").notNull(),
    severity: text("severity").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.assetKey, t.checkName, t.partitionKey] }),
    index("check_latest_failed_idx")
      .on(t.assetKey)
      .where(sql`NOT passed AND severity = 'error'`),
  ],
);

/** Checks switched off (or on again): a check without a row is enabled. */
export const checkSwitches = lignee.table(
  "check_switches",
  {
    assetKey: text("asset_key").notNull(),
    checkName: text("check_name").notNull(),
    enabled: boolean("enabled").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    updatedBy: text("updated_by"),
  },
  (t) => [primaryKey({ columns: [t.assetKey, t.checkName] })],
);

/**
 * One row per (schedule, scheduled time): the uniqueness that makes a tick launch exactly one
 * run, whatever the number of scheduler processes and crashes.
 */
export const scheduleTicks = lignee.table(
  "schedule_ticks",
  {
    schedule: text("schedule").notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    status: text("status").notNull(),
    runId: text("run_id"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.schedule, t.scheduledAt] })],
);

/** On/off switches and cursors of schedules and sensors (`kind` tells which). */
export const automationState = lignee.table(
  "automation_state",
  {
    kind: text("kind").notNull(),
    name: text("name").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    cursor: text("cursor"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.kind, t.name] })],
);

/** Evaluations of sensors (and of eager automation): what they saw and the runs they asked for. */
export const sensorTicks = lignee.table(
  "sensor_ticks",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    sensor: text("sensor").notNull(),
    status: text("status").notNull(),
    cursor: text("cursor"),
    runIds: jsonb("run_ids").$type<string[]>().notNull().default([]),
    message: text("message"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sensor_ticks_sensor_idx").on(t.sensor, t.id)],
);

/** A backfill: a partition range of a selection, cut into chunked runs (runs.backfill_id). */
export const backfills = lignee.table("backfills", {
  id: text("id").primaryKey(),
  status: text("status").notNull(),
  selection: text("selection").notNull(),
  fromKey: text("from_key").notNull(),
  toKey: text("to_key").notNull(),
  chunkSize: integer("chunk_size").notNull(),
  totalChunks: integer("total_chunks").notNull(),
  tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
  /** The config every run of the backfill is given, per asset key (`RunConfig`). */
  config: jsonb("config").$type<Record<string, unknown>>().notNull().default({}),
  error: text("error"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The alert outbox: one row per fact to announce (a run failed, a check failed, an asset became
 * overdue…), written in the transaction that records the fact. `dedupe_key` names the fact, so
 * deciding twice (two schedulers, a retried transaction) still makes one event; senders claim
 * and deliver each event to each channel (see `alert_deliveries`).
 */
export const alertEvents = lignee.table(
  "alert_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    subject: text("subject").notNull(),
    payload: jsonb("payload").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("alert_events_created_idx").on(t.createdAt)],
);

/**
 * The freshness of each asset with a policy, as the scheduler last recorded it: a row changes
 * only on a transition (fresh → overdue, overdue → fresh), in the transaction that writes its
 * alert event, under the row's lock, so that two schedulers record one transition.
 */
export const freshnessState = lignee.table("freshness_state", {
  assetKey: text("asset_key").primaryKey(),
  /** `fresh` or `overdue`. */
  state: text("state").notNull(),
  /** Overdue since (the missed deadline); null when fresh, or overdue and never materialised. */
  since: timestamp("since", { withTimezone: true }),
  /** The oldest missing partition the overdue state is about (daily assets). */
  partitionKey: text("partition_key"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * One row per (event, channel) to deliver: the sender's work queue. A sender claims due rows
 * (`FOR UPDATE SKIP LOCKED`) and leases them until `leased_until`, so two senders never send
 * the same delivery at once and a crashed sender's claims are taken again once its lease
 * expires; a failure waits `next_attempt_at` (exponential backoff) and, after the channel's
 * last try, the row is `dead` with its last error (secrets redacted).
 */
export const alertDeliveries = lignee.table(
  "alert_deliveries",
  {
    eventId: bigint("event_id", { mode: "number" })
      .notNull()
      .references(() => alertEvents.id, { onDelete: "cascade" }),
    channel: text("channel").notNull(),
    /** `pending` (waiting or being sent), `delivered` or `dead`. */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    leasedUntil: timestamp("leased_until", { withTimezone: true }),
    leasedBy: text("leased_by"),
    lastError: text("last_error"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.channel] }),
    index("alert_deliveries_due_idx")
      .on(t.nextAttemptAt)
      .where(sql`status = 'pending'`),
    index("alert_deliveries_updated_idx").on(t.updatedAt),
  ],
);

/**
 * Dynamic partitions sets (`dynamicPartitions({ name })`): the next index a new key of the set
 * gets, and the version of its keys. Indices are never given twice, so that the partition subsets stored as multiranges stay
 * valid when keys are removed. Written only by storage/dynamic-partitions/dynamic-partition-keys.ts.
 */
export const dynamicPartitionSets = lignee.table("dynamic_partition_sets", {
  name: text("name").primaryKey(),
  nextIndex: integer("next_index").notNull().default(0),
  /** Moved by every change of the set's keys: a reader keeps the keys it read until it moves. */
  version: bigint("version", { mode: "number" }).notNull().default(0),
});

/**
 * The keys of dynamic partitions sets with their index. A removed key keeps its row
 * (`removed_at`), so that its index is never given to another key and its history still names
 * it; adding it again clears `removed_at` and gives it its index back.
 */
export const dynamicPartitionKeys = lignee.table(
  "dynamic_partition_keys",
  {
    setName: text("set_name")
      .notNull()
      .references(() => dynamicPartitionSets.name),
    key: text("key").notNull(),
    partitionIndex: integer("partition_index").notNull(),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.setName, t.key] }),
    uniqueIndex("dynamic_partition_keys_index_idx").on(t.setName, t.partitionIndex),
  ],
);

const bytea = customType<{ data: Buffer; driverData: Buffer }>({
  dataType: () => "bytea",
});

/**
 * People who sign in. `role` is one of `ROLES` (auth/roles.ts); `password_hash` is made by
 * auth/password.ts (null: the user cannot sign in). Names are unique whatever their case. A
 * user is never deleted, only disabled, so that the audit trail's names stay meaningful.
 * Written only by the modules of storage/auth/.
 */
export const users = lignee.table(
  "users",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    name: text("name").notNull(),
    role: text("role").notNull(),
    passwordHash: text("password_hash"),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSignInAt: timestamp("last_sign_in_at", { withTimezone: true }),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("users_name_idx").on(sql`lower(${t.name})`),
    check("users_role_check", sql`${t.role} IN ('viewer', 'operator', 'admin')`),
  ],
);

/**
 * Signed-in sessions, found by the SHA-256 of their secret (the secret itself is only in the
 * browser's cookie). A session ends at `expires_at`, or when unseen for the idle time.
 */
export const sessions = lignee.table(
  "sessions",
  {
    secretHash: bytea("secret_hash").primaryKey(),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** Users' API tokens, found by the SHA-256 of their secret; a revoked token keeps its row. */
export const apiTokens = lignee.table(
  "api_tokens",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    userId: bigint("user_id", { mode: "number" })
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    label: text("label").notNull(),
    /** One of `TOKEN_SCOPES` (auth/roles.ts). */
    scope: text("scope").notNull(),
    secretHash: bytea("secret_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("api_tokens_secret_hash_idx").on(t.secretHash),
    index("api_tokens_user_idx").on(t.userId, t.id),
    check("api_tokens_scope_check", sql`${t.scope} IN ('read', 'operate')`),
  ],
);

/** Failed sign-ins, one row per key (`user:alice`, `address:192.0.2.1`), for the rate limit. */
export const signInFailures = lignee.table(
  "sign_in_failures",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    key: text("key").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
  },
  (t) => [
    index("sign_in_failures_key_idx").on(t.key, t.at),
    index("sign_in_failures_at_idx").on(t.at),
  ],
);

/**
 * The audit trail: who did what to what, newest last. Written only by
 * storage/auth/record-audit.ts; pruned by maintenance (`retention.auditDays`).
 */
export const auditEvents = lignee.table(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actor: text("actor").notNull(),
    /** One of `ACTOR_KINDS` (storage/auth/auth-store.ts). */
    actorKind: text("actor_kind").notNull(),
    action: text("action").notNull(),
    target: text("target"),
    detail: jsonb("detail")
      .$type<Record<string, unknown>>()
      .notNull()
      .default(sql`'{}'::jsonb`),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_actor_idx").on(sql`lower(${t.actor})`, t.id),
    check(
      "audit_events_actor_kind_check",
      sql`${t.actorKind} IN ('user', 'token', 'service', 'local', 'cli')`,
    ),
    // In the "C" collation (byte order): a prefix filter is a range on it (see list-audit.ts).
    index("audit_events_action_c_idx").on(sql`${t.action} COLLATE "C"`, t.id),
  ],
);
