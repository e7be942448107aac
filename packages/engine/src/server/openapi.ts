import { z } from "zod";
import { BACKFILL_STATUSES } from "../backfill/progress";
import {
  AssetCheck,
  CheckEvaluationResult,
  AssetChecksBody,
  CHECK_HISTORY_LIMIT,
  CheckHistoryBody,
  CheckRunRequestBody,
  CheckSwitchBody,
  CheckSwitchedBody,
  DynamicPartitionKey,
  DynamicPartitionKeysChangedBody,
  DynamicPartitionKeysRequestBody,
  DynamicPartitionSetsBody,
  DynamicPartitionsBody,
  AlertChannelBody,
  AlertChannelsBody,
  AlertDeliveriesBody,
  AlertDeliveryBody,
  AlertRetriedBody,
  AlertTestBody,
  AlertTestRequestBody,
  DELIVERIES_LIMIT,
  Backfill,
  BACKFILL_RUNS_LIMIT,
  BackfillCanceledBody,
  BackfillCreatedBody,
  BackfillDetailBody,
  BackfillProgress,
  BackfillRequestBody,
  BackfillRun,
  BackfillsBody,
  HealthBody,
  DefinitionsStateBody,
  DefinitionsReloadedBody,
  AssetDetailBody,
  AssetGraphBody,
  AssetNode,
  AutomationBody,
  AutomationToggledBody,
  SCHEDULE_TICKS_LIMIT,
  ScheduleTickBody,
  ScheduleTicksBody,
  SensorTickBody,
  CancelBody,
  ErrorBody,
  MATERIALIZATIONS_LIMIT,
  Materialization,
  MaintenanceReportBody,
  MaintenanceStartedBody,
  MaterializationsBody,
  OperationsBody,
  PartitionDetailBody,
  ReexecuteBody,
  RunCreatedBody,
  LaunchPreviewBody,
  AssetHealthBody,
  AssetFreshnessBody,
  RunDetailBody,
  RunEventBody,
  RunStreamEndBody,
  Run,
  RunListItem,
  RunRequestBody,
  RunsBody,
  RUN_STATUSES,
  SessionBody,
  SessionUser,
  SignInRequestBody,
  UserBody,
  UsersBody,
  UserCreateRequestBody,
  PasswordRequestBody,
  PasswordChangeRequestBody,
  RoleRequestBody,
  ApiTokenBody,
  ApiTokensBody,
  TokenCreateRequestBody,
  TokenCreatedBody,
  AuditEventBody,
  AuditBody,
  AUDIT_LIMIT,
} from "./schemas";
import { ROUTE_ROLES } from "./auth/route-roles";

const ref = (schema: z.ZodType): { $ref: string } => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("every schema in the OpenAPI document needs a meta id");
  return { $ref: `#/components/schemas/${id}` };
};

const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { "application/json": { schema: ref(schema) } },
});

const error = (description: string) => json(description, ErrorBody);

/** 200 of a launch: the answer to `preview: true`, or the queued run a request was merged into. */
const previewOr = (description: string, schema: z.ZodType) => ({
  description: `${description}; with preview: true, what the request would materialise (nothing is created)`,
  content: {
    "application/json": { schema: { oneOf: [ref(schema), ref(LaunchPreviewBody)] } },
  },
});

/**
 * One Server-Sent Events message: its `event` name, optional `id`, and `data` holding JSON of
 * the given schema (OpenAPI 3.1 has no notation for a stream's items, so each message is
 * described as an object of its fields).
 */
const sseMessage = (event: string, data: z.ZodType, withId: boolean) => ({
  type: "object",
  description: `event: ${event}`,
  properties: {
    event: { const: event },
    ...(withId ? { id: { type: "string", description: "resume with Last-Event-ID" } } : {}),
    data: { type: "string", contentMediaType: "application/json", contentSchema: ref(data) },
  },
  required: ["event", "data"],
});

/** What `GET /api/runs/{id}/events` sends (see event-stream.ts). */
const eventStreamMessages = {
  oneOf: [sseMessage("run-event", RunEventBody, true), sseMessage("end", RunStreamEndBody, false)],
};

const assetKeyParam = {
  name: "key",
  in: "path",
  required: true,
  description: "the asset key, slashes included (e.g. raw/events)",
  schema: { type: "string" },
};

const runIdParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

const backfillIdParam = {
  name: "id",
  in: "path",
  required: true,
  schema: { type: "string", format: "uuid" },
};

/** Every named schema, as OpenAPI components referring to one another by `$ref`. */
function componentSchemas(io: "input" | "output"): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const schema of [
    ErrorBody,
    RunRequestBody,
    AssetHealthBody,
    AssetFreshnessBody,
    AssetNode,
    AssetGraphBody,
    AssetDetailBody,
    Materialization,
    MaterializationsBody,
    PartitionDetailBody,
    Run,
    RunListItem,
    RunsBody,
    RunDetailBody,
    ReexecuteBody,
    RunCreatedBody,
    LaunchPreviewBody,
    CancelBody,
    RunEventBody,
    RunStreamEndBody,
    HealthBody,
    DefinitionsStateBody,
    DefinitionsReloadedBody,
    BackfillRequestBody,
    BackfillProgress,
    Backfill,
    BackfillRun,
    BackfillsBody,
    BackfillDetailBody,
    BackfillCreatedBody,
    BackfillCanceledBody,
    ScheduleTickBody,
    SensorTickBody,
    AutomationBody,
    ScheduleTicksBody,
    AutomationToggledBody,
    CheckRunRequestBody,
    CheckSwitchBody,
    CheckEvaluationResult,
    AssetCheck,
    AssetChecksBody,
    CheckHistoryBody,
    CheckSwitchedBody,
    DynamicPartitionKeysRequestBody,
    DynamicPartitionKey,
    DynamicPartitionsBody,
    DynamicPartitionSetsBody,
    DynamicPartitionKeysChangedBody,
    MaintenanceReportBody,
    OperationsBody,
    MaintenanceStartedBody,
    AlertChannelBody,
    AlertChannelsBody,
    AlertDeliveryBody,
    AlertDeliveriesBody,
    AlertTestRequestBody,
    AlertTestBody,
    AlertRetriedBody,
    SessionUser,
    SessionBody,
    SignInRequestBody,
    UserBody,
    UsersBody,
    UserCreateRequestBody,
    PasswordRequestBody,
    PasswordChangeRequestBody,
    RoleRequestBody,
    ApiTokenBody,
    ApiTokensBody,
    TokenCreateRequestBody,
    TokenCreatedBody,
    AuditEventBody,
    AuditBody,
  ]) {
    registry.add(schema, { id: z.globalRegistry.get(schema)!.id! });
  }
  const { schemas } = z.toJSONSchema(registry, {
    uri: (id) => `#/components/schemas/${id}`,
    io,
    unrepresentable: "any",
  });
  // Components are embedded in the document: no dialect or id of their own.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema;
      return [id, rest];
    }),
  );
}

/**
 * The OpenAPI 3.1 document of the API. Bodies come from the zod schemas the handlers validate
 * with (through `z.toJSONSchema`), so the document cannot drift from the validation.
 */
export function openApiDocument(): Record<string, unknown> {
  const components = componentSchemas("output");
  // Request bodies are validated as input (defaults, coercions): document them that way.
  const inputs = componentSchemas("input");
  components.RunRequest = inputs.RunRequest!;
  components.BackfillRequest = inputs.BackfillRequest!;
  components.CheckRunRequest = inputs.CheckRunRequest!;
  components.CheckSwitchRequest = inputs.CheckSwitchRequest!;

  const unauthorized = error(
    "nobody recognised: no session, user token or service token (unless the server is in local mode)",
  );
  const forbidden = error(
    "the caller's role may not (see x-lignee-role), a cookie-authenticated write without its CSRF header, another origin's page, or a Host that is not this server's",
  );
  const document = {
    openapi: "3.1.0",
    info: {
      title: "Lignée API",
      version: "0.1.0",
      description:
        "Assets, their status and lineage; runs, their events and control. Errors are `{ error }`.",
    },
    components: {
      schemas: components,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description:
            "a user's API token (lgn_…, acting with its scope's role) or the service token (LIGNEE_API_TOKEN, acting as admin)",
        },
        cookie: {
          type: "apiKey",
          in: "cookie",
          name: "lignee_session",
          description:
            "a signed-in browser's session (POST /api/session); its writes need the X-Lignee-CSRF header (the session's csrfToken)",
        },
      },
    },
    // No credentials at all: the local mode (loopback, no active user, no service token).
    security: [{ bearer: [] }, { cookie: [] }, {}],
    paths: {
      "/api/health": {
        get: {
          summary: "Health check: the server answers and its database too",
          responses: {
            200: json("healthy", HealthBody),
            401: unauthorized,
            503: error("the database does not answer"),
          },
        },
      },
      "/api/definitions": {
        get: {
          summary: "The definitions served: their version, when they were loaded, a failed reload",
          responses: {
            200: json("the definitions' state", DefinitionsStateBody),
            401: unauthorized,
          },
        },
      },
      "/api/definitions/reload": {
        post: {
          summary:
            "Load the definitions again from their files (runs in flight keep theirs); on failure the previous ones keep serving",
          responses: {
            200: json("loaded (changed, or the files are as they were)", DefinitionsReloadedBody),
            401: unauthorized,
            403: forbidden,
            409: error("this server's definitions are fixed: it has no module to load them from"),
            422: error(
              "the new definitions cannot be loaded: why (the previous ones keep serving)",
            ),
          },
        },
      },
      "/api/openapi.json": {
        get: {
          summary: "This document",
          responses: { 200: { description: "OpenAPI document" }, 401: unauthorized },
        },
      },
      "/api/assets": {
        get: {
          summary: "The asset graph with each asset's status, partition counts and causes",
          responses: { 200: json("graph snapshot", AssetGraphBody), 401: unauthorized },
        },
      },
      "/api/assets/{key}": {
        get: {
          summary:
            "One asset: definition, status, partition keys and ranges, recent materialisations, checks",
          parameters: [assetKeyParam],
          responses: {
            200: json("the asset", AssetDetailBody),
            401: unauthorized,
            404: error("unknown asset"),
          },
        },
      },
      "/api/assets/{key}/materializations": {
        get: {
          summary: "An asset's materialisations with their metadata, newest first",
          parameters: [
            assetKeyParam,
            {
              name: "limit",
              in: "query",
              schema: {
                type: "integer",
                minimum: 1,
                maximum: MATERIALIZATIONS_LIMIT.max,
                default: MATERIALIZATIONS_LIMIT.default,
              },
            },
            {
              name: "latestPerPartition",
              in: "query",
              description: "only the newest materialisation of each partition",
              schema: { type: "string", enum: ["true", "false"], default: "false" },
            },
          ],
          responses: {
            200: json("materialisations", MaterializationsBody),
            400: error("bad query"),
            401: unauthorized,
            404: error("unknown asset"),
          },
        },
      },
      "/api/assets/{key}/partitions/{partition}": {
        get: {
          summary:
            "One partition of an asset: status and stale causes, latest materialisation and its run, recent history, checks",
          parameters: [
            assetKeyParam,
            {
              name: "partition",
              in: "path",
              required: true,
              description: "a partition key, e.g. 2024-08-01",
              schema: { type: "string" },
            },
          ],
          responses: {
            200: json("the partition", PartitionDetailBody),
            400: error("malformed partition key"),
            401: unauthorized,
            404: error("unknown asset, or a partition the asset does not have"),
          },
        },
      },
      "/api/runs": {
        get: {
          summary: "Recent runs, newest first",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
            {
              name: "status",
              in: "query",
              schema: {
                type: "string",
                enum: [...RUN_STATUSES],
              },
            },
            {
              name: "asset",
              in: "query",
              description: "only the runs materialising this asset (e.g. raw/events)",
              schema: { type: "string" },
            },
          ],
          responses: {
            200: json("runs", RunsBody),
            400: error("bad query"),
            401: unauthorized,
            404: error("unknown asset"),
          },
        },
        post: {
          summary: "Validate, then start a run in the background",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref(RunRequestBody) } },
          },
          responses: {
            200: previewOr(
              "the same request was already queued: its run (merged: true), no new run",
              RunCreatedBody,
            ),
            201: json("the run was created", RunCreatedBody),
            400: error(
              "bad body, selection or partition key, nothing stale, or more partitions than may be started without confirm: true (no run is created)",
            ),
            401: unauthorized,
            403: forbidden,
          },
        },
      },
      "/api/runs/{id}": {
        get: {
          summary: "A run and a summary of its steps",
          parameters: [runIdParam],
          responses: {
            200: json("the run", RunDetailBody),
            401: unauthorized,
            404: error("unknown run"),
          },
        },
      },
      "/api/runs/{id}/events": {
        get: {
          summary: "Server-Sent Events: the run's past events, then live ones until it ends",
          parameters: [runIdParam],
          responses: {
            200: {
              description:
                "`event: run-event` messages whose data is a RunEvent (JSON), then one `event: end` whose data is a RunStreamEnd (the run's final status)",
              content: { "text/event-stream": { schema: eventStreamMessages } },
            },
            401: unauthorized,
            404: error("unknown run"),
          },
        },
      },
      "/api/runs/{id}/cancel": {
        post: {
          summary: "Cancel a run executing in this server",
          parameters: [runIdParam],
          responses: {
            202: json("cancellation requested", CancelBody),
            401: unauthorized,
            403: forbidden,
            404: error("unknown run"),
            409: error("the run is finished, or not executing in this server"),
          },
        },
      },
      "/api/runs/{id}/reexecute": {
        post: {
          summary:
            "Start a new run with the same selection and partitions (a stale run asks again for what is stale now)",
          parameters: [runIdParam],
          requestBody: {
            required: false,
            content: { "application/json": { schema: ref(ReexecuteBody) } },
          },
          responses: {
            200: previewOr(
              "the same request was already queued: its run (merged: true), no new run",
              RunCreatedBody,
            ),
            201: json("the new run was created", RunCreatedBody),
            400: error(
              "the selection or partitions are no longer valid, nothing is stale, or more partitions than may be started without confirm: true",
            ),
            401: unauthorized,
            403: forbidden,
            404: error("unknown run"),
          },
        },
      },
      "/api/backfills": {
        get: {
          summary: "Backfills, newest first, with their progress",
          parameters: [
            { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 500 } },
            {
              name: "status",
              in: "query",
              schema: {
                type: "string",
                enum: [...BACKFILL_STATUSES],
              },
            },
          ],
          responses: {
            200: json("backfills", BackfillsBody),
            400: error("bad query"),
            401: unauthorized,
          },
        },
        post: {
          summary: "Validate, then queue one run per chunk of the partition range for the workers",
          requestBody: {
            required: true,
            content: { "application/json": { schema: ref(BackfillRequestBody) } },
          },
          responses: {
            200: json(
              "with preview: true, what the backfill would materialise (nothing is created)",
              LaunchPreviewBody,
            ),
            201: json("the backfill was created and its runs queued", BackfillCreatedBody),
            400: error("bad body, selection, partition keys or chunk size (nothing is created)"),
            401: unauthorized,
            403: forbidden,
          },
        },
      },
      "/api/backfills/{id}": {
        get: {
          summary: "A backfill, its progress (runs and partitions by status) and its runs",
          parameters: [
            backfillIdParam,
            {
              name: "limit",
              in: "query",
              description: "runs listed, in chunk order",
              schema: {
                type: "integer",
                minimum: 1,
                maximum: BACKFILL_RUNS_LIMIT.max,
                default: BACKFILL_RUNS_LIMIT.default,
              },
            },
            { name: "offset", in: "query", schema: { type: "integer", minimum: 0, default: 0 } },
          ],
          responses: {
            200: json("the backfill", BackfillDetailBody),
            400: error("bad query"),
            401: unauthorized,
            404: error("unknown backfill"),
          },
        },
      },
      "/api/backfills/{id}/cancel": {
        post: {
          summary: "Cancel a backfill: queued runs are cancelled, started ones asked to stop",
          parameters: [backfillIdParam],
          responses: {
            200: json("the backfill is cancelled", BackfillCanceledBody),
            401: unauthorized,
            403: forbidden,
            404: error("unknown backfill"),
            409: error("the backfill is already finished"),
          },
        },
      },
      ...automationPaths(unauthorized, forbidden),
      ...dynamicPartitionPaths(unauthorized, forbidden),
      ...operationsPaths(unauthorized, forbidden),
      ...alertPaths(unauthorized, forbidden),
      ...authPaths(unauthorized, forbidden),
      "/metrics": {
        get: {
          summary:
            "The process's metrics, in the Prometheus text format (when the server has them)",
          responses: {
            200: {
              description: "metrics",
              content: { "text/plain": { schema: { type: "string" } } },
            },
            401: unauthorized,
            404: error("this server serves no metrics"),
          },
        },
      },
    },
  };
  return withRoles(document, unauthorized, forbidden);
}

/**
 * Each operation's role from `ROUTE_ROLES` as `x-lignee-role` (so that the document and the
 * rule enforced cannot disagree), and the 401 and 403 any non-public one may answer.
 */
function withRoles<T extends { paths: Record<string, unknown> }>(
  document: T,
  unauthorized: ErrorResponse,
  forbidden: ErrorResponse,
): T {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Operation>)) {
      const role = ROUTE_ROLES[`${method.toUpperCase()} ${path}`];
      if (role === undefined) continue;
      operation["x-lignee-role"] = role;
      if (role === "public") continue;
      operation.responses[401] ??= unauthorized;
      operation.responses[403] ??= forbidden;
    }
  }
  return document;
}

interface Operation {
  responses: Record<number, unknown>;
  [extension: `x-${string}`]: unknown;
}

/** `/api/session`, `/api/users`, `/api/account`, `/api/tokens`, `/api/audit`. */
function authPaths(unauthorized: ErrorResponse, forbidden: ErrorResponse): Record<string, unknown> {
  const userName = {
    name: "name",
    in: "path",
    required: true,
    description: "a user's name (any case)",
    schema: { type: "string" },
  };
  const body = (schema: z.ZodType) => ({
    required: true,
    content: { "application/json": { schema: ref(schema) } },
  });
  return {
    "/api/session": {
      get: {
        summary: "How this server admits callers, and who is calling (user null when nobody)",
        responses: { 200: json("the mode and the caller", SessionBody) },
      },
      post: {
        summary:
          "Sign in with a name and a password: a session cookie (HttpOnly, SameSite=Strict) and the CSRF token its writes send",
        requestBody: body(SignInRequestBody),
        responses: {
          200: json("signed in (Set-Cookie: lignee_session)", SessionBody),
          400: error("bad body"),
          401: error("invalid user name or password (the same answer whatever was wrong)"),
          403: forbidden,
          404: error("this server has no users"),
          429: {
            ...error("too many failed sign-ins for this user or from this address"),
            headers: {
              "Retry-After": { description: "seconds to wait", schema: { type: "integer" } },
            },
          },
        },
      },
      delete: {
        summary: "Sign out: the session ends at once",
        responses: { 204: { description: "signed out (the cookie is cleared)" }, 403: forbidden },
      },
    },
    "/api/users": {
      get: {
        summary: "The users, with their roles and whether they are disabled",
        responses: { 200: json("users", UsersBody), 401: unauthorized, 403: forbidden },
      },
      post: {
        summary: "Add a user",
        requestBody: body(UserCreateRequestBody),
        responses: {
          201: json("the user", UserBody),
          400: error("bad name, role or password (at least 12 characters)"),
          409: error(
            "the name is taken (whatever its case), or a first user who is no admin (while no admin is active)",
          ),
        },
      },
    },
    "/api/users/{name}/disable": {
      post: {
        summary: "Disable a user: its sessions end and its tokens are revoked at once",
        parameters: [userName],
        responses: {
          200: json("the user", UserBody),
          404: error("unknown user"),
          409: error("the last active admin"),
        },
      },
    },
    "/api/users/{name}/enable": {
      post: {
        summary:
          "Enable a disabled user: it may sign in again (its tokens revoked when it was disabled stay revoked)",
        parameters: [userName],
        responses: {
          200: json(
            "the user (an active user is left as it is, and nothing is recorded)",
            UserBody,
          ),
          404: error("unknown user"),
          409: error("a user who is no admin while no admin is active"),
        },
      },
    },
    "/api/users/{name}/password": {
      put: {
        summary: "Set a user's password: its sessions end",
        parameters: [userName],
        requestBody: body(PasswordRequestBody),
        responses: {
          204: { description: "set" },
          400: error("bad password (at least 12 characters)"),
          404: error("unknown user"),
        },
      },
    },
    "/api/users/{name}/role": {
      put: {
        summary: "Set a user's role",
        parameters: [userName],
        requestBody: body(RoleRequestBody),
        responses: {
          200: json("the user", UserBody),
          400: error("bad role"),
          404: error("unknown user"),
          409: error("the last active admin would lose the role"),
        },
      },
    },
    "/api/account/password": {
      put: {
        summary:
          "Change the caller's own password, proving the current one: all its sessions end, the caller's included, and the caller gets a new one (signed-in users only)",
        requestBody: body(PasswordChangeRequestBody),
        responses: {
          200: json(
            "changed: the caller's new session (Set-Cookie: lignee_session, a new CSRF token); its old cookie no longer works",
            SessionBody,
          ),
          400: error("bad body, or a bad new password (at least 12 characters)"),
          403: error(
            "the current password is wrong (counted as a failed sign-in, recorded as user.set-password-refused), a user's token (a password is changed after signing in), or a missing CSRF header",
          ),
          409: error(
            "the caller is no signed-in user (the service token, the local mode), or its password was changed meanwhile",
          ),
          429: {
            ...error("too many failed sign-ins for this user"),
            headers: {
              "Retry-After": { description: "seconds to wait", schema: { type: "integer" } },
            },
          },
        },
      },
    },
    "/api/tokens": {
      get: {
        summary:
          "The caller's API tokens, revoked ones too, newest first (an admin may name a user)",
        parameters: [
          {
            name: "user",
            in: "query",
            description: "another user's tokens (admins only)",
            schema: { type: "string" },
          },
        ],
        responses: { 200: json("tokens", ApiTokensBody) },
      },
      post: {
        summary:
          "Create an API token for the caller (read: as a viewer; operate: as an operator at most); the secret is answered this once; not with a token",
        requestBody: body(TokenCreateRequestBody),
        responses: {
          201: json("the token and its secret", TokenCreatedBody),
          400: error("bad body, or a scope above the caller's role (a viewer's tokens read)"),
          403: error("a user's token (tokens are managed after signing in)"),
          409: error("the caller is no user (the service token, the local mode)"),
        },
      },
    },
    "/api/tokens/{id}": {
      delete: {
        summary:
          "Revoke one of the caller's tokens (an admin: anybody's); effective at once; not with a token",
        parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          204: { description: "revoked" },
          403: error("a user's token (tokens are managed after signing in)"),
          404: error("no such token of the caller's, or already revoked"),
        },
      },
    },
    "/api/audit": {
      get: {
        summary: "Who did what: the audit trail, newest first",
        parameters: [
          {
            name: "limit",
            in: "query",
            schema: { type: "integer", minimum: 1, maximum: AUDIT_LIMIT, default: AUDIT_LIMIT },
          },
          {
            name: "before",
            in: "query",
            description: "an event id: only older events (the previous page's nextBefore)",
            schema: { type: "string" },
          },
          { name: "actor", in: "query", schema: { type: "string" } },
          {
            name: "action",
            in: "query",
            description:
              "an action (run.launch, user.add, session.sign-in-refused…), or its prefix before a dot (token: token.create and token.revoke)",
            schema: { type: "string" },
          },
        ],
        responses: {
          200: json("events", AuditBody),
          400: error("bad query"),
          404: error("this server has no audit trail"),
        },
      },
    },
  };
}

type ErrorResponse = ReturnType<typeof error>;

/** `/api/automation`: schedules, sensors and eager automation. */
function automationPaths(
  unauthorized: ErrorResponse,
  forbidden: ErrorResponse,
): Record<string, unknown> {
  const toggle = (action: "enable" | "disable") => ({
    post: {
      summary: `${action === "enable" ? "Switch on" : "Switch off"} a schedule, a sensor or an asset's eager automation (read by the scheduler at its next evaluation; a schedule switched on starts from now)`,
      parameters: [
        {
          name: "kind",
          in: "path",
          required: true,
          schema: { type: "string", enum: ["schedule", "sensor", "eager"] },
        },
        {
          name: "name",
          in: "path",
          required: true,
          description: "a schedule or sensor name, or an eager asset's key (slashes included)",
          schema: { type: "string" },
        },
      ],
      responses: {
        200: json("the new state", AutomationToggledBody),
        400: error("unknown kind"),
        401: unauthorized,
        403: forbidden,
        404: error("unknown schedule, sensor or eager asset"),
      },
    },
  });
  return {
    "/api/automation": {
      get: {
        summary:
          "Schedules (next tick, latest ticks and their runs), sensors (cursor, latest evaluations) and eager assets, with their switches",
        responses: { 200: json("automation", AutomationBody), 401: unauthorized },
      },
    },
    "/api/automation/schedules/{name}/ticks": {
      get: {
        summary: "A schedule's ticks, newest first, with the run each one queued",
        parameters: [
          { name: "name", in: "path", required: true, schema: { type: "string" } },
          {
            name: "limit",
            in: "query",
            schema: {
              type: "integer",
              minimum: 1,
              maximum: SCHEDULE_TICKS_LIMIT.max,
              default: SCHEDULE_TICKS_LIMIT.default,
            },
          },
          {
            name: "before",
            in: "query",
            description: "only ticks scheduled before this instant (ISO 8601), to page back",
            schema: { type: "string", format: "date-time" },
          },
        ],
        responses: {
          200: json("ticks", ScheduleTicksBody),
          400: error("bad query"),
          401: unauthorized,
          404: error("unknown schedule"),
        },
      },
    },
    ...checkPaths(),
    "/api/automation/{kind}/{name}/enable": toggle("enable"),
    "/api/automation/{kind}/{name}/disable": toggle("disable"),
  };
}

/** `/api/operations`: disk use and the maintenance job. */
function operationsPaths(
  unauthorized: ErrorResponse,
  forbidden: ErrorResponse,
): Record<string, unknown> {
  return {
    "/api/operations": {
      get: {
        summary:
          "Disk use: database tables, each asset's table where known, raw folders (plain and gzipped); the maintenance schedule and its last run with its report",
        responses: { 200: json("operations", OperationsBody), 401: unauthorized },
      },
    },
    "/api/operations/maintenance/preview": {
      get: {
        summary:
          "What the maintenance job would prune and compress now (a dry run: nothing changes)",
        responses: { 200: json("the dry run's report", MaintenanceReportBody), 401: unauthorized },
      },
    },
    "/api/operations/maintenance": {
      post: {
        summary:
          "Run the maintenance job now: a run queued for the workers (or executed by this server when it has no queue)",
        responses: {
          201: json("the maintenance run", MaintenanceStartedBody),
          401: unauthorized,
          403: forbidden,
        },
      },
    },
  };
}

/** `/api/alerts`: channels, deliveries, "send a test", retrying a dead delivery. */
function alertPaths(
  unauthorized: ErrorResponse,
  forbidden: ErrorResponse,
): Record<string, unknown> {
  return {
    "/api/alerts/channels": {
      get: {
        summary:
          "The alert channels (kind, target without secrets, the events they receive) and the daily summary's time",
        responses: { 200: json("channels", AlertChannelsBody), 401: unauthorized },
      },
    },
    "/api/alerts/deliveries": {
      get: {
        summary:
          "Recent deliveries of alerts to channels, most recently changed first, with errors",
        parameters: [
          {
            name: "status",
            in: "query",
            schema: { type: "string", enum: ["pending", "delivered", "dead"] },
          },
          {
            name: "limit",
            in: "query",
            schema: {
              type: "integer",
              minimum: 1,
              maximum: DELIVERIES_LIMIT.max,
              default: DELIVERIES_LIMIT.default,
            },
          },
          {
            name: "before",
            in: "query",
            description: "only deliveries changed before this instant (ISO 8601), to page back",
            schema: { type: "string", format: "date-time" },
          },
        ],
        responses: {
          200: json("deliveries", AlertDeliveriesBody),
          400: error("bad query"),
          401: unauthorized,
        },
      },
    },
    "/api/alerts/test": {
      post: {
        summary: "Send a test alert to one channel (delivered by the scheduler's sender)",
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref(AlertTestRequestBody) } },
        },
        responses: {
          202: json("the test event is written", AlertTestBody),
          400: error("bad body"),
          401: unauthorized,
          403: forbidden,
          404: error("unknown channel"),
        },
      },
    },
    "/api/alerts/deliveries/{eventId}/{channel}/retry": {
      post: {
        summary: "Give a dead delivery a new set of tries, due now",
        parameters: [
          { name: "eventId", in: "path", required: true, schema: { type: "integer" } },
          { name: "channel", in: "path", required: true, schema: { type: "string" } },
        ],
        responses: {
          200: json("the delivery is pending again", AlertRetriedBody),
          400: error("bad path"),
          401: unauthorized,
          403: forbidden,
          404: error("no dead delivery of that event to that channel"),
        },
      },
    },
  };
}

/** `/api/partitions`: dynamic partitions sets and their keys (see dynamic-partition-routes.ts). */
function dynamicPartitionPaths(
  unauthorized: ErrorResponse,
  forbidden: ErrorResponse,
): Record<string, unknown> {
  const name = {
    name: "name",
    in: "path",
    required: true,
    description: "a dynamic partitions set, as dynamicPartitions({ name }) declares it",
    schema: { type: "string" },
  };
  const keysBody = {
    required: true,
    content: { "application/json": { schema: ref(DynamicPartitionKeysRequestBody) } },
  };
  return {
    "/api/partitions": {
      get: {
        summary: "The dynamic partitions sets the assets declare, with their assets and key counts",
        responses: { 200: json("the sets", DynamicPartitionSetsBody), 401: unauthorized },
      },
    },
    "/api/partitions/{name}/keys": {
      get: {
        summary: "The current keys of a dynamic partitions set, with their indices",
        parameters: [name],
        responses: {
          200: json("the keys", DynamicPartitionsBody),
          401: unauthorized,
          404: error("unknown set"),
        },
      },
      post: {
        summary:
          "Add keys to a dynamic partitions set (a key removed earlier gets its index back); all or nothing",
        parameters: [name],
        requestBody: keysBody,
        responses: {
          201: json("the keys were added", DynamicPartitionKeysChangedBody),
          400: error("bad body, or a key empty, too long, given twice or already in the set"),
          401: unauthorized,
          403: forbidden,
          404: error("unknown set"),
        },
      },
      delete: {
        summary:
          "Remove keys from a dynamic partitions set: their partitions no longer count, their materialisations stay in the history; all or nothing",
        parameters: [name],
        requestBody: keysBody,
        responses: {
          200: json("the keys were removed", DynamicPartitionKeysChangedBody),
          400: error("bad body, or a key that is not in the set"),
          401: unauthorized,
          403: forbidden,
          404: error("unknown set"),
        },
      },
    },
    "/api/partitions/{name}/keys/{key}": {
      delete: {
        summary: "Remove one key from a dynamic partitions set",
        parameters: [name, { name: "key", in: "path", required: true, schema: { type: "string" } }],
        responses: {
          200: json("the key was removed", DynamicPartitionKeysChangedBody),
          400: error("the key is not in the set"),
          401: unauthorized,
          403: forbidden,
          404: error("unknown set"),
        },
      },
    },
  };
}

/** The paths of asset checks (see `server/check-routes.ts`). */
function checkPaths() {
  const key = {
    name: "key",
    in: "path",
    required: true,
    description: "an asset key, slashes included (raw/offres)",
    schema: { type: "string" },
  };
  const name = { name: "name", in: "path", required: true, schema: { type: "string" } };
  return {
    "/api/assets/{key}/checks": {
      get: {
        summary:
          "An asset's checks (defineCheck, checkSpecs, names seen in results): severity, switch, latest result per partition",
        parameters: [key],
        responses: { 200: json("the checks", AssetChecksBody), 404: error("unknown asset") },
      },
    },
    "/api/assets/{key}/checks/{name}": {
      put: {
        summary:
          "Switch a check off or on: a disabled check is not evaluated, its results are not stored and its failures hold nothing",
        parameters: [key, name],
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref(CheckSwitchBody) } },
        },
        responses: {
          200: json("the new state", CheckSwitchedBody),
          400: error("bad body"),
          404: error("unknown asset or check"),
        },
      },
    },
    "/api/assets/{key}/checks/{name}/history": {
      get: {
        summary: "A check's results, newest first, of one partition or all, paged",
        parameters: [
          key,
          name,
          { name: "partition", in: "query", schema: { type: "string" } },
          {
            name: "limit",
            in: "query",
            schema: {
              type: "integer",
              minimum: 1,
              maximum: CHECK_HISTORY_LIMIT.max,
              default: CHECK_HISTORY_LIMIT.default,
            },
          },
          {
            name: "before",
            in: "query",
            description: "a result id: only older results (the previous page's nextBefore)",
            schema: { type: "integer" },
          },
        ],
        responses: {
          200: json("the results", CheckHistoryBody),
          400: error("bad query"),
          404: error("unknown asset or check"),
        },
      },
    },
    "/api/checks/run": {
      post: {
        summary:
          "Start a run that only evaluates the checks (defineCheck) of the selected assets on the given partitions; a failed error check fails it",
        requestBody: {
          required: true,
          content: { "application/json": { schema: ref(CheckRunRequestBody) } },
        },
        responses: {
          200: json("the same request was already queued: its run (merged: true)", RunCreatedBody),
          201: json("the run was created", RunCreatedBody),
          400: error(
            "bad body, selection or partition key, no check in the selection, or more partitions than may be started without confirm: true (no run is created)",
          ),
        },
      },
    },
  };
}
