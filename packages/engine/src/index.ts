// Public API of @lignee/engine. Everything a definitions module, a test or another package
// needs is exported here; nothing else is imported from deep paths.
export { defineAsset } from "./definitions/asset";
export type {
  AssetCheckResult,
  AssetDefinition,
  AssetDependency,
  AssetGroupRunner,
  GroupMaterializeContext,
  GroupMaterializeResult,
  GroupMember,
  AssetOptions,
  Logger,
  MaterializeContext,
  MaterializeResult,
  Metadata,
  MetadataValue,
} from "./definitions/asset";
export type { AssetKey } from "./definitions/asset-key";
export {
  Definitions,
  type ResolvedDependency,
  type ResourceEnvironment,
  type ResourcesInput,
} from "./definitions/definitions";
export { NO_RETRY, retryDelay, retryPolicy, type RetryPolicy } from "./definitions/retry-policy";

export {
  allPartitions,
  dailyPartitions,
  DEFAULT_TIMEZONE,
  partitionBounds,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionTimeWindow,
  staticPartitions,
  type DailyPartitionsDefinition,
  type PartitionsDefinition,
  type StaticPartitionsDefinition,
} from "./partitions/definition";
export { dayIn, formatDateKey, parseDateKey, startOfDay } from "./partitions/calendar";
export { IntervalSet, type Range } from "./partitions/interval-set";
export {
  allPartitionsMapping,
  downstreamPartitionsFor,
  identityMapping,
  timeWindowMapping,
  UNPARTITIONED,
  upstreamPartitionsFor,
  type PartitionMapping,
} from "./partitions/mapping";

export { AssetGraph, type GraphSnapshot } from "./graph/asset-graph";
export { resolveSelection } from "./graph/selection";

export {
  computeStatus,
  describeCause,
  PARTITION_STATUSES,
  type AssetStatus,
  type PartitionStatus,
  type StaleCause,
} from "./status/asset-status";

export { plan, type Plan, type PlanStep } from "./planning/plan";
export { resolvePartitionRequest, type PartitionRequest } from "./planning/partition-request";
export { stalePartitions, staleTargets, type StatusSubsets } from "./planning/stale-targets";

export {
  executePlan,
  type ExecuteOptions,
  type ExecuteResult,
  type RunOutcome,
} from "./execution/executor";
export {
  executeRun,
  prepareRun,
  statusesFor,
  type MaterializeRequest,
  type PreparedRun,
  type RunResult,
} from "./execution/launch";
export type { EventLevel, RunEvent, RunEventType, SerializedError } from "./execution/events";

export { migrateDatabase } from "./storage/migrate";
export { PostgresStorage } from "./storage/postgres-storage";
export type {
  AssetStorageSummary,
  CheckResultInput,
  CheckResultRecord,
  ListMaterializationsOptions,
  ListRunsOptions,
  MaterializationInput,
  MaterializationRecord,
  NewRun,
  RunRecord,
  RunStatus,
  Storage,
  StoredEvent,
} from "./storage/storage";

export { openRuntime, type Runtime, type RuntimeOptions } from "./runtime/runtime";
export { startEmbeddedPostgres, type EmbeddedDatabase } from "./runtime/embedded-postgres";

export { createApp, type App, type AppOptions } from "./server/app";
export {
  createServer,
  isLoopback,
  ServerConfigError,
  type RunningServer,
  type ServerOptions,
} from "./server/server";
export { HttpError, toHttpError, type HttpErrorStatus } from "./server/http-error";
export { openApiDocument } from "./server/openapi";
export { RunManager } from "./server/run-manager";

export { runCli } from "./cli/main";
export { connectionEnv, loadDbtAssets, type DbtAssetsOptions } from "./dbt/dbt-assets";
export { DBT_SETUP_COMMAND, runDbt } from "./dbt/dbt-cli";
export { buildExampleDefinitions, type ExampleOverrides } from "./examples/example-definitions";

export {
  DefinitionError,
  InvalidPartitionError,
  isBadInput,
  LigneeError,
  NothingToMaterializeError,
  SelectionError,
  UnknownAssetError,
  UnknownRunError,
  UserCodeError,
  type LigneeErrorCode,
} from "./errors";
