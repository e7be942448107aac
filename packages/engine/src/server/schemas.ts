import { z } from "zod";

/**
 * The API's shapes as zod schemas: request schemas validate input, response schemas document
 * the answers (the OpenAPI document is generated from both with `z.toJSONSchema`).
 */

export const ErrorBody = z.object({ error: z.string() }).meta({ id: "Error" });

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
        "materialise, per selected asset, the partitions MISSING, STALE or FAILED now (not with partition/from/to)",
      ),
    tags: z.record(z.string(), z.string()).optional(),
  })
  .strict()
  .meta({ id: "RunRequest" });
export type RunRequestBody = z.infer<typeof RunRequestBody>;

/** A stored run's partition request (what re-execution asks for again). */
export const PartitionSpec = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("none") }),
  z.object({ kind: z.literal("single"), key: z.string() }),
  z.object({ kind: z.literal("range"), from: z.string(), to: z.string() }),
  z.object({ kind: z.literal("stale") }),
]);

export const RUN_STATUSES = ["QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELED"] as const;
const STATUS = z.enum(["FRESH", "STALE", "MISSING", "FAILED", "RUNNING"]);

export const RunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).optional(),
  status: z.enum(RUN_STATUSES).optional(),
  /** Runs that materialise this asset. */
  asset: z.string().min(1).optional(),
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

export const AssetNode = z
  .object({
    key: z.string(),
    group: z.string(),
    status: STATUS,
    partitioned: z.boolean(),
    total: z.number().int(),
    counts: Counts,
    causes: z.array(Cause),
    checks: ChecksSummary,
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
      .describe("every partition key that exists now, in order ([] for an unpartitioned asset)"),
    status: STATUS,
    total: z.number().int(),
    counts: Counts,
    ranges: z.record(STATUS, KeyRanges),
    causes: z.array(Cause),
    materializations: z.array(Materialization),
    checks: z.array(
      z.object({
        checkName: z.string(),
        partitionKey: z.string(),
        passed: z.boolean(),
        severity: z.enum(["error", "warn"]),
        description: z.string().nullable(),
        runId: z.string(),
        createdAt: z.string(),
      }),
    ),
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
  })
  .meta({ id: "Run" });

export const RunsBody = z.object({ runs: z.array(Run) }).meta({ id: "RunList" });

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

export const RunCreatedBody = z.object({ runId: z.string() }).meta({ id: "RunCreated" });
export const CancelBody = z
  .object({ runId: z.string(), status: z.literal("CANCELING") })
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
