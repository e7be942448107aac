import { z } from "zod";
import { ALERT_EVENT_KINDS } from "../definitions/alerts";
import { DELIVERY_STATUSES } from "../storage/alerts/list-deliveries";
import { MAX_CHUNK_SIZE } from "../backfill/chunks";
import { BACKFILL_STATUSES } from "../backfill/progress";
import { LAUNCH_KINDS } from "../storage/launched-by";
import { Tags } from "./request-limits";
import { ROLES, TOKEN_SCOPES } from "../auth/roles";
import { ACTOR_KINDS } from "../storage/auth/auth-store";

/**
 * The API's shapes as zod schemas: request schemas validate input, response schemas document
 * the answers (the OpenAPI document is generated from both with `z.toJSONSchema`).
 */

export const ErrorBody = z
  .object({
    error: z.string(),
    confirmation: z
      .object({
        assetKey: z.string(),
        partitions: z.number().int(),
        limit: z.number().int(),
      })
      .optional()
      .describe(
        "set when the request needs confirming: the asset furthest over its limit, with the count; ask again with confirm: true",
      ),
    issues: z
      .array(
        z.object({
          assetKey: z.string(),
          path: z.array(z.union([z.string(), z.number()])),
          message: z.string(),
        }),
      )
      .optional()
      .describe(
        "set when the run's config is invalid: its problems (the first 50), per asset and path inside its config (path [] for its config as a whole)",
      ),
    issuesOmitted: z
      .number()
      .int()
      .optional()
      .describe("set when the config has more than 50 issues: how many are not listed"),
  })
  .meta({ id: "Error" });

/** A run's config: per asset key, what its config schema takes. */
const RunConfigBody = z
  .record(z.string(), z.unknown())
  .describe(
    'per asset key, the config its config schema takes, e.g. {"raw/offres": {"pageSize": 50}}; assets given nothing get their schema\'s defaults',
  );

const Confirm = z
  .boolean()
  .optional()
  .describe(
    "start the work even when it materialises more partitions of an asset than may be started without confirmation (LIGNEE_CONFIRM_PARTITIONS, default 100, or the asset's confirmAbove)",
  );

const Preview = z
  .boolean()
  .optional()
  .describe(
    "create nothing: answer what the request would materialise (partitions per asset, left out, an estimate from measured durations) and whether to confirm it",
  );

export const RunRequestBody = z
  .object({
    selection: z.string().trim().min(1, "selection is required"),
    partition: z.string().min(1).optional(),
    from: z.string().min(1).optional(),
    to: z.string().min(1).optional(),
    stale: z
      .boolean()
      .optional()
      .describe(
        "materialise, per selected asset, the partitions MISSING, STALE or FAILED now (not with partition/from/to); partitions waiting on upstream partitions never materialised are left out (see leftOut)",
      ),
    includeMissingUpstream: z
      .boolean()
      .optional()
      .describe(
        "with stale: materialise the missing upstream partitions that stale partitions wait on too, instead of leaving those out",
      ),
    tags: Tags.optional(),
    config: RunConfigBody.optional(),
    confirm: Confirm,
    preview: Preview,
  })
  .strict()
  .meta({ id: "RunRequest" });

/** `POST /api/runs/{id}/reexecute` takes no body, or this one. */
export const ReexecuteBody = z
  .object({
    confirm: Confirm,
    config: RunConfigBody.optional().describe(
      "the new run's config, replacing the run's own (validated as POST /api/runs does): for a run whose config no longer fits its assets' schemas",
    ),
  })
  .strict()
  .meta({ id: "ReexecuteRequest" });
export type RunRequestBody = z.infer<typeof RunRequestBody>;

export const RUN_STATUSES = ["QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELED"] as const;
const STATUS = z.enum(["FRESH", "STALE", "MISSING", "FAILED", "RUNNING"]);

export const RunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** Runs that materialise this asset. */
  asset: z.string().min(1).optional(),
  /** Runs whose id starts with this (at least 4 hexadecimal characters; dashes optional). */
  idPrefix: z.string().optional(),
});

export const MATERIALIZATIONS_LIMIT = { default: 1000, max: 5000 } as const;

export const MaterializationsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MATERIALIZATIONS_LIMIT.max)
    .default(MATERIALIZATIONS_LIMIT.default),
  latestPerPartition: z
    .enum(["true", "false"], "latestPerPartition is true or false")
    .optional()
    .transform((v) => v === "true"),
});

export const RunIdParam = z.object({ id: z.uuid("run ids are UUIDs") });

const KeyRanges = z.array(z.tuple([z.string(), z.string()]));

const Cause = z.object({
  kind: z.string(),
  description: z.string(),
  count: z.number().int(),
  ranges: KeyRanges,
});

const ChecksSummary = z.object({
  total: z.number().int(),
  passed: z.number().int(),
  failed: z.array(z.object({ name: z.string(), severity: z.enum(["error", "warn"]) })),
});

const Counts = z.record(STATUS, z.number().int());

export const AssetHealthBody = z
  .object({
    materialized: z
      .number()
      .int()
      .describe(
        "partitions materialised and not waiting on upstream (fresh, stale, failed after a success)",
      ),
    total: z.number().int(),
    fresh: z.number().int(),
    stale: z.number().int(),
    failed: z.number().int(),
    missing: z.number().int().describe("MISSING partitions, waiting ones included"),
    waiting: z
      .number()
      .int()
      .describe("partitions waiting on upstream partitions never materialised"),
    running: z.number().int(),
    held: z
      .number()
      .int()
      .optional()
      .describe(
        "missing, stale or failed partitions held by a failed error check upstream, or by a change of the asset's partitions (left out of stale requests); absent when none",
      ),
    worst: z
      .enum(["FAILED", "STALE", "MISSING", "RUNNING", "FRESH"])
      .describe(
        "the state that most needs action: FAILED, then STALE, then MISSING (buildable now), then RUNNING, else FRESH",
      ),
  })
  .describe("the headline of an asset: how much of it is materialised, and what needs action")
  .meta({ id: "AssetHealth" });

export const AssetFreshnessBody = z
  .object({
    state: z.enum(["fresh", "overdue"]),
    since: z
      .string()
      .nullable()
      .describe(
        "overdue since (the missed deadline, or when the latest materialisation became older than maxLag); null when fresh, or never materialised",
      ),
    partitionKey: z
      .string()
      .nullable()
      .describe("the oldest missing partition of the run of missed deadlines (daily assets)"),
    missing: z.number().int().nullable().describe("how many partitions that run counts"),
    deadline: z
      .string()
      .nullable()
      .describe("the deadline that applies now: the most recent one passed (deadline policies)"),
    lagSeconds: z
      .number()
      .nullable()
      .describe(
        "deadline policy: seconds past the deadline (0 when fresh); maxLag: age of the latest materialisation",
      ),
    policy: z
      .string()
      .describe('the policy in words, e.g. previous partition by "0 7 * * *" (Europe/Paris)'),
  })
  .nullable()
  .describe("where the asset stands against its freshness policy; null when it declares none")
  .meta({ id: "AssetFreshness" });

const ConfigSchemaBody = z
  .record(z.string(), z.unknown())
  .nullable()
  .describe(
    "the JSON Schema (draft 2020-12, as input) of the config a run gives the asset; null when it takes none",
  );

export const AssetNode = z
  .object({
    key: z.string(),
    group: z.string(),
    status: STATUS,
    partitioned: z.boolean(),
    total: z.number().int(),
    counts: Counts,
    health: AssetHealthBody,
    causes: z.array(Cause),
    checks: ChecksSummary,
    kind: z.enum(["dbt", "typescript"]).describe("a dbt model, or an asset defined in TypeScript"),
    tags: z.record(z.string(), z.string()),
    owners: z.array(z.string()).describe("who answers for the asset, from its definition"),
    lastMaterializedAt: z
      .string()
      .nullable()
      .describe("when any partition was last materialised (null: never)"),
    freshness: AssetFreshnessBody,
    configSchema: ConfigSchemaBody,
  })
  .meta({ id: "AssetNode" });

export const AssetGraphBody = z
  .object({
    nodes: z.array(AssetNode),
    edges: z.array(z.object({ from: z.string(), to: z.string() })),
  })
  .meta({ id: "AssetGraph" });

export const Materialization = z
  .object({
    id: z.number().int(),
    runId: z.string(),
    partitionKey: z.string(),
    dataVersion: z.string(),
    codeVersion: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .meta({ id: "Materialization" });

export const MaterializationsBody = z
  .object({ materializations: z.array(Materialization) })
  .meta({ id: "MaterializationList" });

const CheckResult = z.object({
  checkName: z.string(),
  partitionKey: z.string(),
  passed: z.boolean(),
  severity: z.enum(["error", "warn"]),
  description: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  runId: z.string(),
  createdAt: z.string(),
});

export const AssetDetailBody = z
  .object({
    key: z.string(),
    group: z.string(),
    description: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    codeVersion: z.string(),
    deps: z.array(z.string()),
    dependents: z.array(z.string()),
    partitions: z.string(),
    partitioned: z.boolean(),
    partitionKeys: z
      .array(z.string())
      .describe(
        "every partition key that exists now, in order ([] for an unpartitioned asset, and for two-dimensional partitions: see partitionGrid)",
      ),
    partitionGrid: z
      .object({
        timeDimension: z.string(),
        staticDimension: z.string(),
        staticKeys: z.array(z.string()),
        periodKeys: z
          .array(z.string())
          .describe("the time dimension's keys that exist now, in order"),
      })
      .optional()
      .describe(
        "for two-dimensional partitions: the dimensions' names, the static keys and the periods, instead of every key (hourly × 100 régions would be millions); a partition's key is `period|static`, in time-major order (each period's static keys in staticKeys order)",
      ),
    status: STATUS,
    total: z.number().int(),
    counts: Counts,
    health: AssetHealthBody,
    ranges: z.record(STATUS, KeyRanges),
    waitingRanges: KeyRanges.describe(
      "partitions waiting on upstream partitions never materialised",
    ),
    causes: z.array(Cause),
    freshness: AssetFreshnessBody,
    configSchema: ConfigSchemaBody,
    materializations: z.array(Materialization),
    checks: z.array(CheckResult),
    columns: z
      .array(
        z.object({
          name: z.string(),
          type: z.string().nullable(),
          description: z.string().nullable(),
        }),
      )
      .describe("the columns of the table the asset writes, when known (a dbt model's)"),
    code: z
      .object({
        language: z.string(),
        raw: z.string(),
        compiled: z.string().nullable(),
      })
      .nullable()
      .describe("the code that computes the asset, when known (a dbt model's SQL)"),
  })
  .meta({ id: "AssetDetail" });

export const Run = z
  .object({
    id: z.string(),
    status: z.enum(RUN_STATUSES),
    selection: z.string(),
    assetKeys: z.array(z.string()),
    partitionSpec: z.record(z.string(), z.unknown()).nullable(),
    tags: z.record(z.string(), z.string()),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    error: z.string().nullable(),
    launchedBy: z
      .object({
        kind: z.enum(LAUNCH_KINDS),
        detail: z
          .string()
          .nullable()
          .describe(
            "the OS user (cli), schedule or sensor name, backfill id or re-executed run id; null when there is none",
          ),
      })
      .nullable()
      .describe("what launched the run; null for runs recorded before it was"),
    config: z
      .record(z.string(), z.unknown())
      .describe("the run's validated config, per asset key, defaults applied ({} when none)"),
  })
  .meta({ id: "Run" });

/** A run as `GET /api/runs` lists it: without its config (its detail answers it). */
export const RunListItem = Run.omit({ config: true }).meta({ id: "RunListItem" });

export const RunsBody = z.object({ runs: z.array(RunListItem) }).meta({ id: "RunList" });

export const PARTITION_HISTORY_LIMIT = 10;

export const PartitionDetailBody = z
  .object({
    assetKey: z.string(),
    partitionKey: z.string(),
    status: STATUS,
    causes: z
      .array(z.object({ kind: z.string(), description: z.string() }))
      .describe("why the partition is stale (empty unless STALE)"),
    latest: Materialization.nullable().describe("its latest materialisation"),
    run: Run.nullable().describe("the run that made the latest materialisation"),
    history: z
      .array(Materialization)
      .describe(`its latest materialisations, newest first (at most ${PARTITION_HISTORY_LIMIT})`),
    checks: z.array(CheckResult).describe("the latest result of each check on this partition"),
  })
  .meta({ id: "PartitionDetail" });

export const RunDetailBody = z
  .object({
    run: Run,
    steps: z.array(
      z.object({
        key: z.string(),
        status: z.enum(["RUNNING", "SUCCESS", "FAILURE", "SKIPPED"]),
        assetKeys: z.array(z.string()),
        partitionKey: z.string().nullable(),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        attempts: z.number().int(),
      }),
    ),
  })
  .meta({ id: "RunDetail" });

const LeftOut = z
  .array(
    z.object({
      assetKey: z.string(),
      partitions: z.number().int(),
      reason: z.string(),
    }),
  )
  .describe(
    "partitions a stale request did not materialise because they wait on upstream partitions never materialised (includeMissingUpstream builds those too)",
  );

export const LaunchPreviewBody = z
  .object({
    preview: z.literal(true),
    assets: z.array(
      z.object({
        assetKey: z.string(),
        partitions: z.number().int().describe("0 for an unpartitioned asset"),
        confirmAbove: z.number().int().nullable(),
        secondsPerPartition: z
          .number()
          .nullable()
          .describe("median of its recent successful steps; null: no measurement yet"),
        measuredSteps: z.number().int(),
      }),
    ),
    totalPartitions: z.number().int().describe("an unpartitioned asset counts one"),
    leftOut: LeftOut,
    estimateSeconds: z.number().nullable(),
    measuredSteps: z.number().int().describe("the most recent steps an estimate was taken over"),
    unmeasured: z.array(z.string()),
    needsConfirmation: z.boolean(),
    reason: z.string().nullable(),
  })
  .meta({ id: "LaunchPreview" });

export const RunCreatedBody = z
  .object({
    runId: z.string(),
    leftOut: LeftOut.optional(),
    merged: z
      .literal(true)
      .optional()
      .describe(
        "the same request (selection, partitions, tags) was already queued: its run is answered (200), none is created",
      ),
  })
  .meta({ id: "RunCreated" });
export const CancelBody = z
  .object({ runId: z.string(), status: z.enum(["CANCELING", "CANCELED"]) })
  .meta({ id: "CancelAccepted" });

export const RunEventBody = z
  .object({
    id: z.number().int(),
    runId: z.string(),
    type: z.string(),
    level: z.enum(["debug", "info", "warn", "error"]),
    message: z.string(),
    stepKey: z.string().optional(),
    assetKey: z.string().optional(),
    partitionKey: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    timestamp: z.string(),
  })
  .meta({ id: "RunEvent" });

/** The last message of a run's event stream (`event: end`): how the run ended. */
export const RunStreamEndBody = z
  .object({ status: z.enum(["SUCCESS", "FAILURE", "CANCELED"]) })
  .meta({ id: "RunStreamEnd" });
export type RunStreamEndBody = z.infer<typeof RunStreamEndBody>;

export const HealthBody = z
  .object({ status: z.literal("ok") })
  .describe("the server answers and its database too")
  .meta({ id: "Health" });

/** The definitions a server serves: since when, from which version, and a failed reload. */
export const DefinitionsStateBody = z
  .object({
    version: z
      .string()
      .describe("digest of the definitions' files; equal versions, same definitions"),
    loadedAt: z.string().describe("when these definitions were loaded (ISO 8601)"),
    reloadable: z
      .boolean()
      .describe(
        "whether this server can load its definitions again (POST /api/definitions/reload)",
      ),
    files: z.number().int().describe("how many files the definitions come from"),
    assets: z.number().int(),
    error: z
      .object({ message: z.string(), at: z.string() })
      .nullable()
      .describe(
        "why the latest reload failed (the definitions above keep serving); null once one succeeds",
      ),
  })
  .meta({ id: "DefinitionsState" });

export const DefinitionsReloadedBody = DefinitionsStateBody.extend({
  changed: z.boolean().describe("false: the files are as they were, nothing was replaced"),
}).meta({ id: "DefinitionsReloaded" });

export const BackfillRequestBody = z
  .object({
    selection: z.string().trim().min(1, "selection is required"),
    from: z.string().min(1, "from is required"),
    to: z.string().min(1, "to is required"),
    chunkSize: z
      .number()
      .int()
      .min(1)
      .max(MAX_CHUNK_SIZE)
      .optional()
      .describe("partitions per run (default 10)"),
    tags: Tags.optional(),
    config: RunConfigBody.optional(),
    confirm: Confirm,
    preview: Preview,
  })
  .strict()
  .meta({ id: "BackfillRequest" });

export const BackfillsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  status: z.enum(BACKFILL_STATUSES).optional(),
});

export const BACKFILL_RUNS_LIMIT = { default: 1000, max: 10_000 } as const;

export const BackfillRunsQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(BACKFILL_RUNS_LIMIT.max)
    .default(BACKFILL_RUNS_LIMIT.default),
  offset: z.coerce.number().int().min(0).default(0),
});

export const BackfillIdParam = z.object({ id: z.uuid("backfill ids are UUIDs") });

const RunStatusCounts = z.object(
  Object.fromEntries(RUN_STATUSES.map((s) => [s, z.number().int()])) as Record<
    (typeof RUN_STATUSES)[number],
    z.ZodNumber
  >,
);

export const BackfillProgress = z
  .object({
    totalChunks: z.number().int(),
    createdChunks: z.number().int().describe("chunks whose run exists"),
    runs: RunStatusCounts.describe("runs by status"),
    totalPartitions: z.number().int(),
    partitions: RunStatusCounts.describe("partitions by the status of the run covering them"),
    canceling: z.number().int().describe("started runs asked to stop, not stopped yet"),
    finished: z.boolean().describe("every chunk has a run and every run has ended"),
  })
  .meta({ id: "BackfillProgress" });

export const Backfill = z
  .object({
    id: z.string(),
    status: z.enum(BACKFILL_STATUSES),
    selection: z.string(),
    from: z.string(),
    to: z.string(),
    chunkSize: z.number().int(),
    totalChunks: z.number().int(),
    tags: z.record(z.string(), z.string()),
    config: z
      .record(z.string(), z.unknown())
      .describe("the validated config of every run, per asset key ({} when none)"),
    error: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    progress: BackfillProgress,
  })
  .meta({ id: "Backfill" });

export const BackfillRun = z
  .object({
    id: z.string(),
    chunk: z.number().int().describe("position in the backfill, from 0"),
    from: z.string(),
    to: z.string(),
    partitionCount: z.number().int(),
    status: z.enum(RUN_STATUSES),
    cancelRequested: z.boolean(),
    attempt: z.number().int(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    endedAt: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "BackfillRun" });

export const BackfillsBody = z
  .object({ backfills: z.array(Backfill) })
  .meta({ id: "BackfillList" });

export const BackfillDetailBody = z
  .object({ backfill: Backfill, runs: z.array(BackfillRun) })
  .meta({ id: "BackfillDetail" });

export const BackfillCreatedBody = z
  .object({ backfillId: z.string(), totalChunks: z.number().int() })
  .meta({ id: "BackfillCreated" });

export const BackfillCanceledBody = z
  .object({
    backfillId: z.string(),
    status: z.literal("CANCELED"),
    canceledRuns: z.number().int().describe("queued runs cancelled"),
    cancelingRuns: z.number().int().describe("started runs asked to stop"),
  })
  .meta({ id: "BackfillCanceled" });

// ---------------------------------------------------------------- automation

export const AUTOMATION_KINDS = ["schedule", "sensor", "eager"] as const;

export const AutomationToggleParams = z.object({
  kind: z.enum(AUTOMATION_KINDS, "kind is schedule, sensor or eager"),
  /** A schedule or sensor name, or an eager asset's key. */
  name: z.string().min(1),
});

export const SCHEDULE_TICKS_LIMIT = { default: 50, max: 500 } as const;

export const ScheduleTicksQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(SCHEDULE_TICKS_LIMIT.max)
    .default(SCHEDULE_TICKS_LIMIT.default),
  before: z.iso
    .datetime({ offset: true, message: "before is an ISO 8601 instant" })
    .optional()
    .transform((v) => (v === undefined ? undefined : new Date(v))),
});

export const ScheduleTickBody = z
  .object({
    scheduledAt: z.string(),
    status: z.enum(["STARTED", "SUCCESS", "SKIPPED", "FAILURE"]),
    runId: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: "ScheduleTick" });

export const SensorTickBody = z
  .object({
    id: z.number().int(),
    status: z.enum(["SUCCESS", "SKIPPED", "FAILURE"]),
    runIds: z.array(z.string()),
    message: z.string().nullable(),
    cursor: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: "SensorTick" });

export const AutomationBody = z
  .object({
    schedules: z.array(
      z.object({
        name: z.string(),
        cron: z.string(),
        timezone: z.string(),
        selection: z.string(),
        description: z.string().nullable(),
        enabled: z.boolean(),
        nextTickAt: z.string().nullable().describe("the next tick, when enabled"),
        lastTicks: z.array(ScheduleTickBody),
      }),
    ),
    sensors: z.array(
      z.object({
        name: z.string(),
        selection: z.string(),
        description: z.string().nullable(),
        intervalMs: z.number(),
        enabled: z.boolean(),
        cursor: z.string().nullable(),
        lastTicks: z.array(SensorTickBody),
      }),
    ),
    eager: z.object({
      assets: z.array(z.object({ key: z.string(), enabled: z.boolean() })),
      lastTicks: z.array(SensorTickBody),
    }),
  })
  .meta({ id: "Automation" });

export const ScheduleTicksBody = z
  .object({ ticks: z.array(ScheduleTickBody) })
  .meta({ id: "ScheduleTickList" });

export const AutomationToggledBody = z
  .object({ kind: z.enum(AUTOMATION_KINDS), name: z.string(), enabled: z.boolean() })
  .meta({ id: "AutomationSwitch" });

// ---------------------------------------------------------------- operations (maintenance)

export const MaintenanceReportBody = z
  .object({
    dryRun: z.boolean(),
    startedAt: z.string(),
    finishedAt: z.string(),
    events: z
      .object({
        retentionDays: z.number(),
        cutoff: z.string(),
        runs: z.number().int(),
        rows: z.number().int(),
        bytes: z.number().describe("size of the pruned rows' data (pg_column_size)"),
      })
      .describe("run events (logs) of runs that ended before the cutoff"),
    sensorTicks: z.object({
      retentionDays: z.number(),
      cutoff: z.string(),
      rows: z.number().int(),
      bytes: z.number(),
    }),
    audit: z
      .object({
        retentionDays: z.number(),
        cutoff: z.string(),
        rows: z.number().int(),
        bytes: z.number(),
        signInFailures: z.number().int().describe("failed sign-ins older than a day"),
        expiredSessions: z.number().int().describe("sessions past their absolute expiry"),
      })
      .optional()
      .describe("audit lines older than the cutoff; absent from reports made before it was kept"),
    vacuum: z.array(
      z.object({ table: z.string(), bytesBefore: z.number(), bytesAfter: z.number() }),
    ),
    rawFiles: z.array(
      z.object({
        label: z.string(),
        compressAfterDays: z.number(),
        files: z.number().int(),
        bytesBefore: z.number(),
        bytesAfter: z.number().describe("0 in a dry run"),
        skipped: z.array(z.object({ file: z.string(), reason: z.string() })),
      }),
    ),
    bytesFreed: z.object({
      databaseRows: z.number(),
      databaseDisk: z.number(),
      files: z.number(),
    }),
  })
  .meta({ id: "MaintenanceReport" });

export const OperationsBody = z
  .object({
    database: z.object({
      bytes: z.number().describe("pg_database_size of the engine's database"),
      tables: z.array(
        z.object({
          schema: z.string(),
          name: z.string(),
          bytes: z.number().describe("pg_total_relation_size: table, indexes and TOAST"),
          estimatedRows: z.number().describe("PostgreSQL's estimate; -1 when never analysed"),
        }),
      ),
    }),
    assets: z.array(
      z.object({
        assetKey: z.string(),
        table: z.string().nullable().describe("schema.name; null when unknown"),
        bytes: z.number().nullable(),
        source: z
          .enum(["metadata", "name"])
          .nullable()
          .describe(
            "how the table was found: its materialisation's metadata (table or relation), or the asset key read as schema/table",
          ),
      }),
    ),
    rawFolders: z.array(
      z.object({
        label: z.string(),
        pattern: z.string(),
        compressAfterDays: z.number(),
        exists: z.boolean(),
        files: z.number().int(),
        bytes: z.number(),
        compressedFiles: z.number().int(),
        compressedBytes: z.number(),
      }),
    ),
    maintenance: z.object({
      schedule: z
        .object({
          name: z.string(),
          cron: z.string(),
          timezone: z.string(),
          enabled: z.boolean().nullable().describe("null when this server has no automation"),
          nextTickAt: z.string().nullable(),
        })
        .nullable()
        .describe("null when the maintenance schedule is switched off in the definitions"),
      eventsRetentionDays: z.number(),
      sensorTicksRetentionDays: z.number(),
      auditRetentionDays: z.number(),
      lastRun: z
        .object({
          runId: z.string(),
          status: z.enum(RUN_STATUSES),
          createdAt: z.string(),
          startedAt: z.string().nullable(),
          endedAt: z.string().nullable(),
          error: z.string().nullable(),
          report: MaintenanceReportBody.nullable(),
        })
        .nullable(),
    }),
  })
  .meta({ id: "Operations" });

export const MaintenanceStartedBody = z
  .object({ runId: z.string() })
  .meta({ id: "MaintenanceStarted" });
// ---------------------------------------------------------------- alerts

export const ALERT_CHANNEL_KINDS = ["slack", "webhook", "email"] as const;

export const AlertChannelBody = z
  .object({
    name: z.string(),
    kind: z.enum(ALERT_CHANNEL_KINDS),
    target: z.string().describe("where it sends, without secrets: `hooks.slack.com/…`"),
    kinds: z.array(z.enum(ALERT_EVENT_KINDS)).describe("the event kinds it receives"),
    schedules: z.array(z.string()).describe("schedules whose successes it announces"),
  })
  .meta({ id: "AlertChannel" });

export const AlertChannelsBody = z
  .object({
    channels: z.array(AlertChannelBody),
    dailySummary: z.object({ at: z.string(), timezone: z.string() }).nullable(),
    maxAttempts: z.number().int().describe("tries of a delivery before it is dead"),
  })
  .meta({ id: "AlertChannelList" });

export const DELIVERIES_LIMIT = { default: 50, max: 500 } as const;

export const AlertDeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES, "status is pending, delivered or dead").optional(),
  limit: z.coerce.number().int().min(1).max(DELIVERIES_LIMIT.max).default(DELIVERIES_LIMIT.default),
  before: z.iso
    .datetime({ offset: true, message: "before is an ISO 8601 instant" })
    .optional()
    .transform((v) => (v === undefined ? undefined : new Date(v))),
});

export const AlertDeliveryBody = z
  .object({
    eventId: z.number().int(),
    channel: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable().describe("when a pending delivery is tried next"),
    lastError: z.string().nullable().describe("the last failure, secrets redacted"),
    deliveredAt: z.string().nullable(),
    updatedAt: z.string(),
    kind: z.enum(ALERT_EVENT_KINDS),
    subject: z.string(),
    eventCreatedAt: z.string(),
  })
  .meta({ id: "AlertDelivery" });

export const AlertDeliveriesBody = z
  .object({ deliveries: z.array(AlertDeliveryBody) })
  .meta({ id: "AlertDeliveryList" });

export const AlertTestRequestBody = z
  .object({ channel: z.string().min(1, "channel names the channel to test") })
  .meta({ id: "AlertTestRequest" });

export const AlertTestBody = z
  .object({ channel: z.string(), dedupeKey: z.string() })
  .meta({ id: "AlertTestQueued" });

export const AlertRetryParams = z.object({
  eventId: z.coerce.number().int().positive(),
  channel: z.string().min(1),
});

export const AlertRetriedBody = z
  .object({ eventId: z.number().int(), channel: z.string(), status: z.literal("pending") })
  .meta({ id: "AlertRetried" });
// ---------------------------------------------------------------- checks

/** `POST /api/checks/run`: the checks of a selection on partitions, materialising nothing. */
export const CheckRunRequestBody = z
  .object({
    selection: z.string().trim().min(1, "selection is required"),
    partition: z.string().min(1).optional(),
    from: z.string().min(1).optional(),
    to: z.string().min(1).optional(),
    tags: Tags.optional(),
    confirm: Confirm,
  })
  .strict()
  .meta({ id: "CheckRunRequest" });

/** `PUT /api/assets/{key}/checks/{name}`: switch a check off or on. */
export const CheckSwitchBody = z
  .object({ enabled: z.boolean("enabled is true or false") })
  .strict()
  .meta({ id: "CheckSwitchRequest" });

export const CHECK_HISTORY_LIMIT = { default: 50, max: 500 } as const;

export const CheckHistoryQuery = z.object({
  partition: z.string().min(1).optional(),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(CHECK_HISTORY_LIMIT.max)
    .default(CHECK_HISTORY_LIMIT.default),
  before: z.coerce.number().int().min(1).optional(),
});

export const CheckEvaluationResult = CheckResult.extend({
  id: z.number().int(),
  durationMs: z.number().int().nullable(),
}).meta({ id: "CheckEvaluationResult" });

export const AssetCheck = z
  .object({
    name: z.string(),
    severity: z.enum(["error", "warn"]),
    description: z.string().nullable(),
    source: z
      .enum(["check", "materialization", "results"])
      .describe(
        "check: declared with defineCheck (can run alone); materialization: reported by the asset's materialisation (checkSpecs); results: only seen in stored results",
      ),
    enabled: z.boolean(),
    switchedAt: z.string().nullable(),
    switchedBy: z.string().nullable(),
    latest: CheckEvaluationResult.nullable().describe("the newest result, any partition"),
    passedPartitions: z.number().int().describe("partitions whose latest result passed"),
    failedPartitions: z.number().int().describe("partitions whose latest result failed"),
    partitions: z
      .array(CheckEvaluationResult)
      .describe("the latest result of each partition, by partition key"),
  })
  .meta({ id: "AssetCheck" });

export const AssetChecksBody = z
  .object({ assetKey: z.string(), checks: z.array(AssetCheck) })
  .meta({ id: "AssetChecks" });

export const CheckHistoryBody = z
  .object({
    results: z.array(CheckEvaluationResult),
    nextBefore: z
      .number()
      .int()
      .nullable()
      .describe("pass as ?before= for the next (older) page; null on the last page"),
  })
  .meta({ id: "CheckHistory" });

export const CheckSwitchedBody = z
  .object({ assetKey: z.string(), name: z.string(), enabled: z.boolean() })
  .meta({ id: "CheckSwitched" });

// ---------------------------------------------------------------- dynamic partitions

/** `POST` and `DELETE /api/partitions/{name}/keys`: the keys to add or remove. */
export const DynamicPartitionKeysRequestBody = z
  .object({
    keys: z
      .array(z.string())
      .min(1, "keys: give at least one key")
      .max(10_000, "keys: at most 10,000 at once"),
  })
  .strict()
  .meta({ id: "DynamicPartitionKeysRequest" });

export const DynamicPartitionKey = z
  .object({
    key: z.string(),
    index: z
      .number()
      .int()
      .describe("the partition index, kept for good (never given to another key)"),
  })
  .meta({ id: "DynamicPartitionKey" });

export const DynamicPartitionsBody = z
  .object({
    name: z.string(),
    assets: z.array(z.string()).describe("the assets partitioned by this set"),
    keys: z.array(DynamicPartitionKey).describe("the current keys, in the order they were added"),
  })
  .meta({ id: "DynamicPartitions" });

export const DynamicPartitionSetsBody = z
  .object({
    sets: z.array(
      z.object({ name: z.string(), assets: z.array(z.string()), keyCount: z.number().int() }),
    ),
  })
  .meta({ id: "DynamicPartitionSets" });

export const DynamicPartitionKeysChangedBody = z
  .object({
    name: z.string(),
    added: z.array(z.string()).optional(),
    removed: z.array(z.string()).optional(),
  })
  .meta({ id: "DynamicPartitionKeysChanged" });

// ---------------------------------------------------------------- sign-in, users, tokens, audit

/** How this server admits callers. */
export const AUTH_MODES = ["local", "token", "users"] as const;

export const SessionUser = z
  .object({ name: z.string(), role: z.enum(ROLES) })
  .meta({ id: "SessionUser" });

export const SessionBody = z
  .object({
    mode: z
      .enum(AUTH_MODES)
      .describe(
        "local: loopback, no users and no token, one user without sign-in; token: the service token (LIGNEE_API_TOKEN) only; users: sign-in or a user's token",
      ),
    user: SessionUser.nullable().describe(
      "who is calling; null when nobody is signed in (then a sign-in is needed unless the mode is local)",
    ),
    via: z
      .enum(["local", "session", "token", "service"])
      .nullable()
      .describe("how the caller was recognised; null when it was not"),
    csrfToken: z
      .string()
      .optional()
      .describe(
        "for a signed-in browser: send it as X-Lignee-CSRF with every request that changes something",
      ),
    expiresAt: z
      .string()
      .optional()
      .describe("for a signed-in browser: when the session ends at the latest"),
    idleMinutes: z
      .number()
      .optional()
      .describe("for a signed-in browser: minutes without a request after which the session ends"),
  })
  .meta({ id: "Session" });

export const SignInRequestBody = z
  .object({
    name: z.string().min(1).max(200),
    password: z.string().min(1).max(1024),
  })
  .strict()
  .meta({ id: "SignInRequest" });

export const UserBody = z
  .object({
    name: z.string(),
    role: z.enum(ROLES),
    disabled: z.boolean(),
    createdAt: z.string(),
    lastSignInAt: z.string().nullable(),
  })
  .meta({ id: "User" });

export const UsersBody = z.object({ users: z.array(UserBody) }).meta({ id: "UserList" });

export const UserCreateRequestBody = z
  .object({
    name: z.string().describe("letters, digits, . _ - @; 1 to 64 characters"),
    role: z.enum(ROLES),
    password: z.string().describe("at least 12 characters"),
  })
  .strict()
  .meta({ id: "UserCreateRequest" });

/** `PUT /api/account/password`: a signed-in user changes its own password. */
export const PasswordChangeRequestBody = z
  .object({
    current: z.string().describe("the password now, checked first"),
    password: z.string().describe("the new one, at least 12 characters"),
  })
  .strict()
  .meta({ id: "PasswordChangeRequest" });

export const PasswordRequestBody = z
  .object({ password: z.string().describe("at least 12 characters") })
  .strict()
  .meta({ id: "PasswordRequest" });

export const RoleRequestBody = z
  .object({ role: z.enum(ROLES) })
  .strict()
  .meta({ id: "RoleRequest" });

export const ApiTokenBody = z
  .object({
    id: z.string(),
    user: z.string(),
    label: z.string(),
    scope: z.enum(TOKEN_SCOPES),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    revokedAt: z.string().nullable(),
  })
  .meta({ id: "ApiToken" });

export const ApiTokensBody = z
  .object({ tokens: z.array(ApiTokenBody) })
  .meta({ id: "ApiTokenList" });

export const TokenCreateRequestBody = z
  .object({
    label: z.string().min(1).max(100).describe("what the token is for, e.g. ci"),
    scope: z.enum(TOKEN_SCOPES).describe("read: as a viewer; operate: as an operator at most"),
  })
  .strict()
  .meta({ id: "TokenCreateRequest" });

export const TokenCreatedBody = z
  .object({
    token: ApiTokenBody,
    secret: z.string().describe("the token itself, shown this once: it is stored hashed"),
  })
  .meta({ id: "TokenCreated" });

export const AuditEventBody = z
  .object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    actorKind: z.enum(ACTOR_KINDS),
    action: z.string(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "AuditEvent" });

export const AUDIT_LIMIT = 100;

export const AuditBody = z
  .object({
    events: z.array(AuditEventBody).describe("newest first"),
    nextBefore: z
      .string()
      .nullable()
      .describe("pass as before= for the next (older) page; null at the end"),
  })
  .meta({ id: "Audit" });

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(AUDIT_LIMIT).default(AUDIT_LIMIT),
  before: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, "before is an audit line's id (the previous page's nextBefore)")
    .optional(),
  actor: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(200).optional(),
});

export const TokensQuery = z.object({
  user: z.string().min(1).max(200).optional(),
});
