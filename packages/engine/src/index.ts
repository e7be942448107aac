// Public API of @lignee/engine. Everything a definitions module, a test or another package
// needs is exported here; nothing else is imported from deep paths.
export { defineAsset } from "./definitions/asset";
export type {
  AssetAutomation,
  AssetCheckResult,
  AssetCheckSpec,
  AssetColumn,
  AssetDefinition,
  AssetDetails,
  AssetDependency,
  AssetGroupRunner,
  ConfigOf,
  ConfigSchema,
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
export { configJsonSchema, resolveRunConfig, type RunConfig } from "./definitions/run-config";
/** The zod the engine validates run config with: declare `config` schemas with it. */
export { z } from "zod";
export {
  defineCheck,
  type CheckContext,
  type CheckDefinition,
  type CheckEvaluation,
  type CheckOptions,
  type CheckSeverity,
} from "./definitions/check";
export type { AssetKey } from "./graph/asset-key";
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
  hourlyPartitions,
  isTimePartitions,
  lastCompletePartitionKey,
  monthlyPartitions,
  partitionBounds,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionTimeWindow,
  staticPartitions,
  timeWindowOf,
  weeklyPartitions,
  type DailyPartitionsDefinition,
  type HourlyPartitionsDefinition,
  type MonthlyPartitionsDefinition,
  type MultiPartitionsDefinition,
  type PartitionsDefinition,
  type StaticPartitionsDefinition,
  type TimePartitionsDefinition,
  type WeeklyPartitionsDefinition,
} from "./partitions/definition";
export { partitionsLayout, partitionsLayoutKeeps } from "./partitions/layout";
export {
  DynamicPartitionKeys,
  dynamicPartitions,
  DynamicPartitionsSnapshot,
  MAX_DYNAMIC_PARTITION_KEY_LENGTH,
  type DynamicPartitionKeyRow,
  type DynamicPartitionsDefinition,
  type DynamicPartitionsStore,
} from "./partitions/dynamic";
export { loadDynamicPartitions } from "./storage/dynamic-partitions/load-dynamic-partitions";
export { dayIn, formatDateKey, parseDateKey, startOfDay } from "./partitions/calendar";
export { MULTI_KEY_SEPARATOR, multiPartitions } from "./partitions/multi";
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
  describeCheckBlock,
  PARTITION_STATUSES,
  type AssetStatus,
  type PartitionStatus,
  MISSING_KEYS_SHOWN,
  type StaleCause,
} from "./status/asset-status";
export { assetHealth, type AssetHealth } from "./status/asset-health";
export {
  describeFreshnessPolicy,
  formatDuration,
  parseDuration,
  type FreshnessPolicy,
  type FreshnessPolicyInput,
} from "./definitions/freshness-policy";
export {
  evaluateFreshness,
  type FreshnessEvaluation,
  type FreshnessFacts,
} from "./status/freshness";
export { computeFreshness, type AssetFreshness } from "./status/asset-freshness";
export { freshnessLags, type FreshnessLag } from "./server/freshness-lags";

export { plan, type Plan, type PlanStep } from "./planning/plan";
export {
  BODY_FIELD_NAMES,
  describePartitionRequest,
  partitionRequestFromFields,
  partitionRequestOf,
  readPartitionRequest,
  resolvePartitionRequest,
  resolveStaleRequest,
  serializePartitionRequest,
  storedPartitionRequest,
  type PartitionFieldNames,
  type PartitionFields,
  type PartitionRequest,
} from "./planning/partition-request";
export {
  describeLeftOut,
  stalePartitions,
  staleSelection,
  staleTargets,
  type LeftOut,
  type StaleSelection,
  type StatusSubsets,
} from "./planning/stale-targets";
export {
  ESTIMATE_SAMPLE,
  launchPreview,
  PREVIEW_CONFIRM_ABOVE,
  type AssetPreview,
  type LaunchPreview,
} from "./planning/launch-preview";
export {
  confirmLimitFromEnv,
  DEFAULT_CONFIRM_ABOVE,
  partitionCounts,
  requireConfirmation,
} from "./planning/confirmation";

export {
  executePlan,
  type ExecuteOptions,
  type ExecuteResult,
  type RunOutcome,
} from "./execution/executor";
export { evaluateMemberChecks, type CheckHold } from "./execution/evaluate-checks";
export {
  CHECKS_ONLY_TAG,
  executeCreatedRun,
  executeRun,
  prepareRun,
  statusesFor,
  type ExecutionOptions,
  type MaterializeRequest,
  type PreparedRun,
  type RunResult,
} from "./execution/launch";
export type { EventLevel, RunEvent, RunEventType, SerializedError } from "./execution/events";

export { cronProblem, parseCron, type CronSchedule } from "./definitions/cron";
export { DEFAULT_CATCH_UP_WINDOW_MS, dueTicks, type DueTicks } from "./automation/due-ticks";
export { eagerDecision, type EagerDecision, type EagerInput } from "./automation/eager";
export { automationRunId } from "./automation/run-id";
export {
  dayBefore,
  defineSchedule,
  type ScheduleDefinition,
  type ScheduleOptions,
} from "./definitions/schedule";
export {
  activeRunCovers,
  DEFAULT_SENSOR_INTERVAL_MS,
  defineSensor,
  type ActiveRun,
  type DynamicPartitionsRequest,
  type SensorContext,
  type SensorDefinition,
  type SensorOptions,
  type SensorResult,
  type SensorRunRequest,
} from "./definitions/sensor";
export {
  DEFAULT_CHANGE_DEBOUNCE_MS,
  DEFAULT_SCHEDULER_INTERVAL_MS,
  runScheduler,
  Scheduler,
  type SchedulerOptions,
  type SchedulerReport,
} from "./automation/scheduler";
export { scheduleRunId, type ScheduleOutcome } from "./automation/schedule-evaluator";
export type { SensorOutcome } from "./automation/sensor-evaluator";
export type { EagerOutcome } from "./automation/eager-evaluator";
export { PostgresAutomationStore } from "./automation/postgres-automation-store";
export { CHANGES_CHANNEL } from "./storage/changes-channel";
export { PgListener, type PgListenerOptions } from "./storage/listener";
export type { FreshnessOutcome } from "./automation/freshness-evaluator";
export { PostgresFreshnessStore, type FreshnessStore } from "./storage/freshness/freshness-store";
export type { FreshnessStateRecord } from "./storage/freshness/freshness-row";
export type {
  FreshnessTarget,
  FreshnessTransition,
} from "./storage/freshness/freshness-transition";
export type {
  AutomationKind,
  AutomationState,
  AutomationStore,
  ChangeWatch,
  QueuedRun,
  ScheduleTick,
  ScheduleTickStatus,
  SensorTick,
  SensorTickStatus,
} from "./automation/automation-store";

export {
  BACKFILL_TAG,
  CHUNK_TAG,
  PARTITION_COUNT_TAG,
  type BackfillRecord,
  type BackfillRun,
  type BackfillStore,
  type CancelOutcome,
  type ChunkRun,
  type ChunkRunTemplate,
  type ListBackfillsOptions,
  type NewBackfill,
} from "./backfill/backfill-store";
export { DEFAULT_BATCH_SIZE, PostgresBackfillStore } from "./backfill/postgres-backfill-store";
export {
  chunkPartitions,
  DEFAULT_CHUNK_SIZE,
  MAX_CHUNK_SIZE,
  type BackfillChunk,
} from "./backfill/chunks";
export {
  BACKFILL_MAX_ATTEMPTS,
  launchBackfill,
  resumeBackfill,
  resumeInterruptedBackfills,
  type LaunchOptions,
} from "./backfill/launch-backfill";
export {
  prepareBackfill,
  type BackfillRequest,
  type PreparedBackfill,
} from "./backfill/prepare-backfill";
export {
  BACKFILL_STATUSES,
  describeProgress,
  isBackfillDone,
  settledStatus,
  summarizeProgress,
  type BackfillProgress,
  type BackfillStatus,
} from "./backfill/progress";
export { backfillRunId } from "./backfill/run-ids";

export { migrateDatabase } from "./storage/migrate";
export { versionHash } from "./storage/version-hash";
export { PostgresStorage } from "./storage/postgres-storage";
export { resolveRunId } from "./storage/resolve-run-id";
export { MIN_RUN_ID_PREFIX, parseRunIdPrefix } from "./storage/runs/id-prefix";
export { connectPool, withTransaction } from "./storage/transaction";
export type {
  AssetStorageSummary,
  CheckHistoryOptions,
  CheckResultInput,
  CheckResultRecord,
  CheckSwitch,
  FailedCheck,
  FenceableStorage,
  ListMaterializationsOptions,
  ListRunsOptions,
  MaterializationInput,
  MaterializationRecord,
  NewRun,
  RunFence,
  RunRecord,
  RunStatus,
  Storage,
  StoredEvent,
} from "./storage/storage";
export {
  LAUNCH_KINDS,
  describeLaunchedBy,
  type LaunchKind,
  type LaunchedBy,
} from "./storage/launched-by";

export { openRuntime, type Runtime, type RuntimeOptions } from "./runtime/runtime";
export { startEmbeddedPostgres, type EmbeddedDatabase } from "./runtime/embedded-postgres";
export { heartbeatFile } from "./runtime/heartbeat-file";

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
export { ROUTE_ROLES, routeAccess, type RouteAccess } from "./server/auth/route-roles";
export { BACKGROUND_HEADER, CSRF_HEADER, SESSION_COOKIE } from "./server/auth/authenticate";
export { sessionLimitsFromEnv, type SessionLimits } from "./server/auth/session-limits";
export type { Principal } from "./server/auth/principal";
// The API's response schemas, for clients and tests that check an answer's shape.
export {
  AssetChecksBody,
  CheckHistoryBody,
  CheckSwitchedBody,
  AssetDetailBody,
  AutomationBody,
  AutomationToggledBody,
  BackfillCanceledBody,
  BackfillCreatedBody,
  BackfillDetailBody,
  BackfillsBody,
  PartitionDetailBody,
  DynamicPartitionKeysChangedBody,
  DynamicPartitionSetsBody,
  DynamicPartitionsBody,
  ScheduleTicksBody,
} from "./server/schemas";
export { RunManager } from "./server/run-manager";
export {
  serveMetrics,
  type MetricsServerOptions,
  type RunningMetricsServer,
} from "./server/metrics-server";
export { Metrics, type MetricsOptions, type RenderedMetrics } from "./metrics/metrics";
export { ExecutionMetrics, STEP_DURATION_BUCKETS } from "./metrics/execution-metrics";
export { SchedulerMetrics, type EvaluationSummary } from "./metrics/scheduler-metrics";
export {
  StorageMetrics,
  type AlertDeliveryCount,
  type StorageMetricsOptions,
} from "./metrics/storage-metrics";
export {
  PostgresMetricsStore,
  type CheckOutcomeCount,
  type MetricsStore,
  type QueueDepth,
} from "./storage/metrics/postgres-metrics-store";

export { runCli } from "./cli/main";
export { findDefinitionsModule, type LigneeConfig } from "./cli/lignee-config";
export { connectionEnv, loadDbtAssets, type DbtAssetsOptions } from "./dbt/dbt-assets";
export {
  DBT_SETUP_COMMAND,
  runDbt,
  type DbtInvocation,
  type DbtLogLine,
  type DbtProcessResult,
} from "./dbt/dbt-cli";
export { dbtWarmEnabled, prepareDbtWarm, runDbtWarm, stopWarmDbt } from "./dbt/warm-dbt";
export { defineSparkAsset, type SparkAssetOptions } from "./spark/spark-asset";
export {
  jarsIn,
  runSparkJob,
  SPARK_SETUP_COMMAND,
  sparkSettings,
  type SparkJobInvocation,
  type SparkJobResult,
  type SparkSettings,
} from "./spark/spark-job";
export { SparkJobError, type SparkJobFailure } from "./spark/errors";
export { buildExampleDefinitions, type ExampleOverrides } from "./examples/example-pipeline";

export {
  DefinitionError,
  InvalidPartitionError,
  isBadInput,
  LigneeError,
  NothingToMaterializeError,
  PartitionsChangedError,
  ConfirmationRequiredError,
  InvalidConfigError,
  SelectionError,
  UnknownAssetError,
  UnknownCheckError,
  UnknownPartitionsSetError,
  LeaseLostError,
  UnknownBackfillError,
  UnknownRunError,
  RunIdPrefixError,
  UserCodeError,
  AuthStoreError,
  type ConfigIssue,
  type LigneeErrorCode,
} from "./errors";
export { isTransient, PermanentError, RetryableError } from "./execution/error-class";
/** Settles like a promise, or rejects with the signal's reason as soon as it aborts: for asset code awaiting what does not take a signal. */
export { raceAbort } from "./util/race-abort";

export {
  RunQueue,
  QUEUE_CHANNEL,
  type ClaimedRun,
  type EnqueueOptions,
  type ExpiredRun,
  type LeaseState,
} from "./queue/run-queue";
export { Worker, type WorkerOptions } from "./queue/worker";
export {
  DEFAULT_LIMITS,
  limitsFromEnv,
  poolsOf,
  POOL_TAG,
  type ConcurrencyLimits,
} from "./queue/pools";
export { queueSettingsFromEnv, type QueueSettings } from "./queue/settings";

export {
  DEFAULT_COMPRESS_AFTER_DAYS,
  DEFAULT_EVENTS_RETENTION_DAYS,
  DEFAULT_MAINTENANCE_CRON,
  DEFAULT_SENSOR_TICKS_RETENTION_DAYS,
  isMaintenanceRun,
  MAINTENANCE_JOB_TAG,
  MAINTENANCE_SCHEDULE,
  MAINTENANCE_SELECTION,
  resolveMaintenance,
  type MaintenanceConfig,
  type MaintenanceOptions,
  type RawFilesRule,
} from "./definitions/maintenance";
export {
  PRUNE_BATCH,
  runMaintenance,
  type RunMaintenanceOptions,
} from "./maintenance/run-maintenance";
export {
  describeMaintenance,
  formatBytes,
  type MaintenanceReport,
} from "./maintenance/maintenance-report";
export { gzipFileAtomically, type CompressOutcome } from "./maintenance/compress-file";
export { gzipObject } from "./maintenance/compress-object";
export {
  compressRawFolder,
  rawFolderUsage,
  type RawFolderCompression,
  type RawFolderUsage,
} from "./maintenance/raw-folders";
export {
  executeMaintenanceJob,
  type MaintenanceJobOptions,
  type MaintenanceOutcome,
} from "./maintenance/maintenance-job";
export { maintenanceQueuedRun } from "./automation/maintenance-run";
export { runMaintenanceHere } from "./maintenance/launch-maintenance";
// Alerts: channels, the outbox sender, the daily summary.
export {
  ALERT_EVENT_KINDS,
  type AlertChannelConfig,
  type AlertEventKind,
  type AlertsConfig,
  type DailySummaryConfig,
  type EmailChannelConfig,
  type SlackChannelConfig,
  type WebhookChannelConfig,
} from "./definitions/alerts";
export { alertSettings, type AlertSettings } from "./alerts/alert-settings";
export { idempotencyKey, type AlertChannel, type AlertMessage } from "./alerts/channel";
export { channelView, type ChannelView } from "./alerts/channel-view";
export { createChannels } from "./alerts/channels";
export { dueSummaryDay, summaryEvent, type SummaryDay } from "./alerts/daily-summary";
export { emailChannel, messageId } from "./alerts/email-channel";
export { redactSecrets, redactUrl } from "./alerts/redact";
export {
  AlertSender,
  type AlertSenderOptions,
  type OverdueAssets,
  type SendRound,
} from "./alerts/sender";
export { slackBlocks, slackChannel } from "./alerts/slack-channel";
export { startAlertSender, type RunningAlertSender } from "./alerts/start-alerts";
export { webhookBody, webhookChannel, webhookSignature } from "./alerts/webhook-channel";
export { PostgresAlertStore, type AlertStore } from "./storage/alerts/alert-store";
export {
  ALERT_CHANNEL,
  recordAlertEvent,
  type AlertEventInput,
} from "./storage/alerts/record-alert-event";
export { readDayFacts, type DayFacts } from "./storage/alerts/summary-facts";
export {
  DELIVERY_STATUSES,
  type DeliveryRecord,
  type DeliveryStatus,
} from "./storage/alerts/list-deliveries";
// Users, roles, sessions, tokens and the audit trail.
export {
  ROLES,
  TOKEN_SCOPES,
  lowerRole,
  roleAtLeast,
  tokenRole,
  tokenScopeProblem,
  type Role,
  type TokenScope,
} from "./auth/roles";
export {
  ACTOR_KINDS,
  type ActorKind,
  type ApiTokenRecord,
  type AuditRecord,
  type AuthStore,
  type NewAuditRecord,
  type OwnPasswordChange,
  type SessionRecord,
  type UserCredentials,
  type UserRecord,
} from "./storage/auth/auth-store";
export { PostgresAuthStore } from "./storage/auth/postgres-auth-store";
export {
  dummyVerify,
  hashPassword,
  passwordProblem,
  userNameProblem,
  verifyPassword,
  PASSWORD_MIN_CHARACTERS,
  USER_NAME_PATTERN,
} from "./auth/password";
export {
  csrfTokenFor,
  isCsrfTokenOf,
  newSessionSecret,
  newTokenSecret,
  sha256,
  tokenLabelProblem,
  TOKEN_PREFIX,
} from "./auth/secrets";
export { ENVIRONMENT_ACTOR, ensureFirstAdmin, firstAdminSettings } from "./server/auth/first-admin";
export {
  assertRawKey,
  assertRawPrefix,
  RawStoreError,
  type RawObject,
  type RawReadOptions,
  type RawStore,
  type RawStoreErrorCode,
  type RawWriteOptions,
} from "./definitions/raw-store";
export { FileRawStore } from "./raw-store/file-raw-store";
export { openRawStore, rawStoreFolder } from "./raw-store/open-raw-store";
export { S3RawStore } from "./raw-store/s3-raw-store";
export {
  parseS3Url,
  s3OptionsFromEnv,
  type S3Credentials,
  type S3Location,
  type S3RawStoreOptions,
} from "./raw-store/s3-settings";
