import type { z } from "zod";
import type { BACKFILL_TAG } from "../backfill/backfill-store";
import type { DEFAULT_CHUNK_SIZE, MAX_CHUNK_SIZE } from "../backfill/chunks";
import type { MIN_RUN_ID_PREFIX } from "../storage/runs/id-prefix";
import type {
  ApiTokenBody,
  ApiTokensBody,
  AuditBody,
  PasswordChangeRequestBody,
  PasswordRequestBody,
  RoleRequestBody,
  SessionBody,
  SignInRequestBody,
  TokenCreateRequestBody,
  TokenCreatedBody,
  UserCreateRequestBody,
  UsersBody,
  AlertChannelsBody,
  AlertDeliveriesBody,
  AlertRetriedBody,
  AlertTestBody,
  AlertTestRequestBody,
  AssetChecksBody,
  CheckHistoryBody,
  CheckRunRequestBody,
  CheckSwitchBody,
  CheckSwitchedBody,
  AssetDetailBody,
  AssetGraphBody,
  DynamicPartitionKeysChangedBody,
  DynamicPartitionKeysRequestBody,
  DynamicPartitionSetsBody,
  DynamicPartitionsBody,
  AutomationBody,
  AutomationToggledBody,
  BackfillCanceledBody,
  BackfillCreatedBody,
  BackfillDetailBody,
  BackfillRequestBody,
  BackfillsBody,
  CancelBody,
  DefinitionsReloadedBody,
  DefinitionsStateBody,
  ErrorBody,
  LaunchPreviewBody,
  MaintenanceReportBody,
  MaintenanceStartedBody,
  MaterializationsBody,
  OperationsBody,
  PartitionDetailBody,
  ReexecuteBody,
  RunCreatedBody,
  RunDetailBody,
  RunEventBody,
  RunRequestBody,
  RunsBody,
  RunStreamEndBody,
  ScheduleTicksBody,
} from "./schemas";

/**
 * The HTTP API's wire contract as TypeScript types, inferred from the zod schemas that validate
 * requests and generate the OpenAPI document. Clients (the UI) import this module with
 * `import type` only: it has no runtime content, so nothing of zod or the engine reaches a
 * browser bundle, and a change to a schema fails the client's type-check where it reads the
 * changed field.
 *
 * Responses are the schemas' output, deeply read-only (a client must not mutate what it was
 * answered, e.g. a query cache); requests are the schemas' input (what the API accepts).
 *
 * @example
 * import type { Run, RunStatus } from "@lignee/engine/wire";
 * const done = (run: Run): boolean => run.status !== "QUEUED" && run.status !== "STARTED";
 */

/** Read-only all the way down; tuples stay tuples. */
export type DeepReadonly<T> = T extends object
  ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
  : T;

type Response<S extends z.ZodType> = DeepReadonly<z.output<S>>;
type Request<S extends z.ZodType> = DeepReadonly<z.input<S>>;

// ---------------------------------------------------------------- errors

/** Every error answer: a one-line message, and what needs confirming for a large request. */
export type ErrorResponse = Response<typeof ErrorBody>;
/** A large request refused until confirmed: the asset furthest over its limit, with the count. */
export type Confirmation = NonNullable<ErrorResponse["confirmation"]>;

// ---------------------------------------------------------------- definitions

/** GET /api/definitions */
export type DefinitionsState = Response<typeof DefinitionsStateBody>;
/** POST /api/definitions/reload */
export type DefinitionsReloaded = Response<typeof DefinitionsReloadedBody>;

// ---------------------------------------------------------------- assets

/** GET /api/assets */
export type AssetGraph = Response<typeof AssetGraphBody>;
export type AssetNode = AssetGraph["nodes"][number];
export type AssetStatus = AssetNode["status"];
export type StaleCause = AssetNode["causes"][number];
/** An asset's headline: how much is materialised, and the worst state that needs action. */
export type AssetHealth = AssetNode["health"];
/** Where an asset stands against its freshness policy (null: it has none). */
export type AssetFreshness = AssetNode["freshness"];
/** An inclusive range of partition keys. */
export type KeyRange = StaleCause["ranges"][number];
/** GET /api/assets/{key} */
export type AssetDetail = Response<typeof AssetDetailBody>;
export type CheckResult = AssetDetail["checks"][number];
export type AssetColumn = AssetDetail["columns"][number];
export type AssetCode = NonNullable<AssetDetail["code"]>;
/** GET /api/assets/{key}/partitions/{partition} */
export type PartitionDetail = Response<typeof PartitionDetailBody>;
/** GET /api/assets/{key}/materializations */
export type MaterializationList = Response<typeof MaterializationsBody>;
export type Materialization = MaterializationList["materializations"][number];

// ---------------------------------------------------------------- checks

/** GET /api/assets/{key}/checks */
export type AssetChecks = Response<typeof AssetChecksBody>;
export type AssetCheck = AssetChecks["checks"][number];
/** One stored evaluation of a check (with its id and duration). */
export type CheckEvaluationResult = AssetCheck["partitions"][number];
/** GET /api/assets/{key}/checks/{name}/history */
export type CheckHistory = Response<typeof CheckHistoryBody>;
/** PUT /api/assets/{key}/checks/{name} */
export type CheckSwitchRequest = Request<typeof CheckSwitchBody>;
export type CheckSwitched = Response<typeof CheckSwitchedBody>;
/** POST /api/checks/run (answered like POST /api/runs) */
export type CheckRunRequest = Request<typeof CheckRunRequestBody>;

// ---------------------------------------------------------------- dynamic partitions

/** GET /api/partitions */
export type DynamicPartitionSets = Response<typeof DynamicPartitionSetsBody>;
/** GET /api/partitions/{name}/keys */
export type DynamicPartitions = Response<typeof DynamicPartitionsBody>;
/** POST and DELETE /api/partitions/{name}/keys */
export type DynamicPartitionKeysRequest = Request<typeof DynamicPartitionKeysRequestBody>;
export type DynamicPartitionKeysChanged = Response<typeof DynamicPartitionKeysChangedBody>;

// ---------------------------------------------------------------- runs

/** GET /api/runs */
export type RunList = Response<typeof RunsBody>;
export type Run = RunList["runs"][number];
export type RunStatus = Run["status"];
/** What launched a run (null for runs recorded before it was). */
export type RunLaunchedBy = Run["launchedBy"];
export type LaunchKind = NonNullable<RunLaunchedBy>["kind"];
/** GET /api/runs/{id} */
export type RunDetail = Response<typeof RunDetailBody>;
export type RunStep = RunDetail["steps"][number];
export type StepStatus = RunStep["status"];
/** One message `run-event` of GET /api/runs/{id}/events. */
export type RunEvent = Response<typeof RunEventBody>;
/** The last message (`end`) of GET /api/runs/{id}/events. */
export type RunStreamEnd = Response<typeof RunStreamEndBody>;
/**
 * The fewest hexadecimal characters of a run id that GET /api/runs?idPrefix= takes, as a literal
 * type (a client that states it is checked against the engine's).
 */
export type RunIdPrefixMin = typeof MIN_RUN_ID_PREFIX;
/** POST /api/runs */
export type RunRequest = Request<typeof RunRequestBody>;
/** A run's config: per asset key, what its config schema takes. */
export type RunConfig = NonNullable<RunRequest["config"]>;
/** One problem of an invalid run config (a 400's `issues`). */
export type ConfigIssue = NonNullable<ErrorResponse["issues"]>[number];
/** POST /api/runs (201, or 200 when merged into an identical queued run) and re-execution. */
export type RunCreated = Response<typeof RunCreatedBody>;
/** Partitions a stale request left out, waiting on upstream partitions never materialised. */
export type LeftOut = NonNullable<RunCreated["leftOut"]>[number];
/** POST /api/runs or /api/backfills with `preview: true`: what the launch would materialise. */
export type LaunchPreview = Response<typeof LaunchPreviewBody>;
/** POST /api/runs/{id}/reexecute */
export type ReexecuteRequest = Request<typeof ReexecuteBody>;
/** POST /api/runs/{id}/cancel */
export type CancelAccepted = Response<typeof CancelBody>;

// ---------------------------------------------------------------- backfills

/** GET /api/backfills */
export type BackfillList = Response<typeof BackfillsBody>;
export type Backfill = BackfillList["backfills"][number];
export type BackfillStatus = Backfill["status"];
export type BackfillProgress = Backfill["progress"];
/** GET /api/backfills/{id} */
export type BackfillDetail = Response<typeof BackfillDetailBody>;
/** One chunk of a backfill and its run. */
export type BackfillRun = BackfillDetail["runs"][number];
/** The tag every run of a backfill carries, its value the backfill's id. */
export type BackfillTag = typeof BACKFILL_TAG;
/**
 * A backfill request's partitions per run: its default and upper bound, as literal types (a
 * client that states them is checked against the engine's).
 */
export type ChunkSizeBounds = { default: typeof DEFAULT_CHUNK_SIZE; max: typeof MAX_CHUNK_SIZE };
/** POST /api/backfills */
export type BackfillRequest = Request<typeof BackfillRequestBody>;
export type BackfillCreated = Response<typeof BackfillCreatedBody>;
/** POST /api/backfills/{id}/cancel */
export type BackfillCanceled = Response<typeof BackfillCanceledBody>;

// ---------------------------------------------------------------- automation

/** GET /api/automation */
export type Automation = Response<typeof AutomationBody>;
export type ScheduleState = Automation["schedules"][number];
export type SensorState = Automation["sensors"][number];
export type ScheduleTick = ScheduleState["lastTicks"][number];
export type SensorTick = SensorState["lastTicks"][number];
export type ScheduleTickStatus = ScheduleTick["status"];
export type SensorTickStatus = SensorTick["status"];
/** GET /api/automation/schedules/{name}/ticks */
export type ScheduleTickList = Response<typeof ScheduleTicksBody>;
/** POST /api/automation/{kind}/{name}/enable|disable */
export type AutomationSwitch = Response<typeof AutomationToggledBody>;
export type AutomationKind = AutomationSwitch["kind"];

// ---------------------------------------------------------------- operations (maintenance)

/** `GET /api/operations`: disk use per table, asset and raw folder; the maintenance job. */
export type OperationsResponse = Response<typeof OperationsBody>;
/** What a maintenance did or, for `GET /api/operations/maintenance/preview`, would do. */
export type MaintenanceReportResponse = Response<typeof MaintenanceReportBody>;
/** `POST /api/operations/maintenance`: the maintenance run queued (or started here). */
export type MaintenanceStartedResponse = Response<typeof MaintenanceStartedBody>;
// ---------------------------------------------------------------- alerts

/** GET /api/alerts/channels */
export type AlertChannelList = Response<typeof AlertChannelsBody>;
export type AlertChannel = AlertChannelList["channels"][number];
export type AlertEventKind = AlertChannel["kinds"][number];
/** GET /api/alerts/deliveries */
export type AlertDeliveryList = Response<typeof AlertDeliveriesBody>;
export type AlertDelivery = AlertDeliveryList["deliveries"][number];
export type AlertDeliveryStatus = AlertDelivery["status"];
/** POST /api/alerts/test */
export type AlertTestRequest = Request<typeof AlertTestRequestBody>;
export type AlertTestQueued = Response<typeof AlertTestBody>;
/** POST /api/alerts/deliveries/{eventId}/{channel}/retry */
export type AlertRetried = Response<typeof AlertRetriedBody>;
// ---------------------------------------------------------------- sign-in, users, tokens, audit

/** GET /api/session, and POST /api/session's answer once signed in. */
export type Session = Response<typeof SessionBody>;
export type AuthMode = Session["mode"];
export type SessionUser = NonNullable<Session["user"]>;
export type Role = SessionUser["role"];
/** POST /api/session */
export type SignInRequest = Request<typeof SignInRequestBody>;
/** GET /api/users (admin) */
export type UserList = Response<typeof UsersBody>;
export type User = UserList["users"][number];
/** POST /api/users (admin) */
export type UserCreateRequest = Request<typeof UserCreateRequestBody>;
/** PUT /api/users/{name}/password (admin) */
export type PasswordRequest = Request<typeof PasswordRequestBody>;
/** PUT /api/account/password (a signed-in user's own) */
export type PasswordChangeRequest = Request<typeof PasswordChangeRequestBody>;
/** PUT /api/users/{name}/role (admin) */
export type RoleRequest = Request<typeof RoleRequestBody>;
/** GET /api/tokens */
export type ApiTokenList = Response<typeof ApiTokensBody>;
export type ApiToken = Response<typeof ApiTokenBody>;
export type TokenScope = ApiToken["scope"];
/** POST /api/tokens */
export type TokenCreateRequest = Request<typeof TokenCreateRequestBody>;
export type TokenCreated = Response<typeof TokenCreatedBody>;
/** GET /api/audit */
export type AuditList = Response<typeof AuditBody>;
export type AuditEvent = AuditList["events"][number];
