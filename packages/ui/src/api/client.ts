import { csrfHeaders, forgetSession, rememberSession, unauthorized } from "./session";
import { backgroundHeaders } from "./activity";
import { apiToken, authHeaders } from "./token";
import type {
  AlertChannelList,
  AlertDeliveryList,
  AlertDeliveryStatus,
  AlertRetried,
  AlertTestQueued,
  AssetChecks,
  CheckHistory,
  CheckRunRequest,
  CheckSwitched,
  AssetDetail,
  AssetGraph,
  Automation,
  AutomationKind,
  AutomationSwitch,
  BackfillCanceled,
  BackfillCreated,
  BackfillDetail,
  BackfillList,
  BackfillRequest,
  BackfillStatus,
  CancelAccepted,
  ConfigIssue,
  Confirmation,
  DefinitionsReloaded,
  DefinitionsState,
  ErrorResponse,
  LaunchPreview,
  MaintenanceReportResponse,
  MaintenanceStartedResponse,
  MaterializationList,
  OperationsResponse,
  PartitionDetail,
  RunCreated,
  RunDetail,
  RunList,
  RunRequest,
  RunStatus,
  ScheduleTickList,
  ApiTokenList,
  PasswordChangeRequest,
  AuditList,
  Role,
  Session,
  SignInRequest,
  TokenCreated,
  TokenCreateRequest,
  UserCreateRequest,
  UserList,
} from "./types";

/**
 * An error answer of the API: its one-line message and HTTP status, for a large request
 * refused until confirmed, what needs confirming, for invalid run config, every issue, and for
 * a request refused for a while (429), the seconds to wait (Retry-After).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly confirmation?: Confirmation,
    readonly issues?: readonly ConfigIssue[],
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** Requests index.html starts before the app's script has loaded, by path: each taken once. */
declare global {
  interface Window {
    __ligneePrefetch?: Record<string, Promise<Response> | undefined>;
  }
}

function prefetched(path: string, init?: RequestInit): Promise<Response> | undefined {
  const all = typeof window === "undefined" ? undefined : window.__ligneePrefetch;
  const response = all?.[path];
  if (!response || init) return undefined;
  delete all[path];
  return response;
}

/** The session's own calls: a 401 there is a refused sign-in, not an expired session. */
const SESSION_PATH = "/api/session";
/** The server's words when a signed-in browser's write comes without its session's CSRF token. */
const CSRF_REFUSAL = "missing or invalid CSRF token";

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  try {
    return await requestOnce<T>(path, init);
  } catch (e) {
    // Signed in again meanwhile (another tab): the CSRF token is the new session's. The
    // refusal came before anything was done, so the write is sent once more with it.
    if (!(e instanceof ApiError && e.status === 403 && e.message === CSRF_REFUSAL)) throw e;
    await requestOnce<Session>(SESSION_PATH).then(rememberSession);
    return requestOnce<T>(path, init);
  }
}

async function requestOnce<T>(path: string, init?: RequestInit): Promise<T> {
  const early = await prefetched(path, init);
  const sentToken = apiToken();
  // A prefetch refused before sign-in is asked again now.
  const response =
    early && early.status !== 401
      ? early
      : await fetch(path, {
          ...init,
          headers: {
            Accept: "application/json",
            ...authHeaders(),
            ...csrfHeaders(init?.method),
            ...backgroundHeaders(),
            ...init?.headers,
          },
        });
  if (response.status === 401 && path !== SESSION_PATH) unauthorized(sentToken);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let confirmation: Confirmation | undefined;
    let issues: readonly ConfigIssue[] | undefined;
    try {
      const body = (await response.json()) as Partial<ErrorResponse>;
      if (typeof body.error === "string") message = body.error;
      confirmation = body.confirmation;
      issues = body.issues;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message, confirmation, issues, retryAfter(response));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

function retryAfter(response: Response): number | undefined {
  const seconds = Number(response.headers.get("Retry-After") ?? "");
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

function send<T>(method: "POST" | "PUT", path: string, body?: unknown): Promise<T> {
  return request<T>(path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
}

function post<T>(path: string, body?: unknown): Promise<T> {
  return send("POST", path, body);
}

function put<T>(path: string, body: unknown): Promise<T> {
  return send("PUT", path, body);
}

/** Asset keys contain slashes; each segment is encoded, the slashes kept. */
export function assetPath(key: string): string {
  return key.split("/").map(encodeURIComponent).join("/");
}

export const api = {
  definitions: () => request<DefinitionsState>("/api/definitions"),
  reloadDefinitions: () => post<DefinitionsReloaded>("/api/definitions/reload"),
  assets: () => request<AssetGraph>("/api/assets"),
  assetChecks: (key: string) => request<AssetChecks>(`/api/assets/${assetPath(key)}/checks`),
  checkHistory: (key: string, name: string, partitionKey: string | undefined, limit: number) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (partitionKey) query.set("partition", partitionKey);
    return request<CheckHistory>(
      `/api/assets/${assetPath(key)}/checks/${encodeURIComponent(name)}/history?${query.toString()}`,
    );
  },
  setCheckEnabled: (key: string, name: string, enabled: boolean) =>
    put<CheckSwitched>(`/api/assets/${assetPath(key)}/checks/${encodeURIComponent(name)}`, {
      enabled,
    }),
  /** A run that only evaluates the selection's checks (answered like a run launch). */
  runChecks: (body: CheckRunRequest) => post<RunCreated>("/api/checks/run", body),
  asset: (key: string) => request<AssetDetail>(`/api/assets/${assetPath(key)}`),
  partition: (key: string, partitionKey: string) =>
    request<PartitionDetail>(
      `/api/assets/${assetPath(key)}/partitions/${encodeURIComponent(partitionKey)}`,
    ),
  materializations: (key: string, options: { limit: number; latestPerPartition: boolean }) =>
    request<MaterializationList>(
      `/api/assets/${assetPath(key)}/materializations?limit=${options.limit}&latestPerPartition=${options.latestPerPartition}`,
    ),
  /** `idPrefix`: the runs whose id starts with it (4 hexadecimal characters or more). */
  runs: (filter: { status?: RunStatus; asset?: string; idPrefix?: string; limit?: number }) => {
    const query = new URLSearchParams();
    if (filter.status) query.set("status", filter.status);
    if (filter.asset) query.set("asset", filter.asset);
    if (filter.idPrefix) query.set("idPrefix", filter.idPrefix);
    query.set("limit", String(filter.limit ?? 100));
    return request<RunList>(`/api/runs?${query.toString()}`);
  },
  run: (id: string) => request<RunDetail>(`/api/runs/${encodeURIComponent(id)}`),
  startRun: (body: RunRequest) => post<RunCreated>("/api/runs", body),
  /** What a run request would materialise; nothing is created. */
  previewRun: (body: RunRequest) => post<LaunchPreview>("/api/runs", { ...body, preview: true }),
  cancelRun: (id: string) => post<CancelAccepted>(`/api/runs/${encodeURIComponent(id)}/cancel`),
  reexecuteRun: (id: string, confirm?: true) =>
    post<RunCreated>(
      `/api/runs/${encodeURIComponent(id)}/reexecute`,
      confirm ? { confirm } : undefined,
    ),
  automation: () => request<Automation>("/api/automation"),
  operations: () => request<OperationsResponse>("/api/operations"),
  /** What maintenance would prune and compress now (a dry run: nothing changes). */
  previewMaintenance: () =>
    request<MaintenanceReportResponse>("/api/operations/maintenance/preview"),
  startMaintenance: () => post<MaintenanceStartedResponse>("/api/operations/maintenance"),
  alertChannels: () => request<AlertChannelList>("/api/alerts/channels"),
  alertDeliveries: (filter: { status?: AlertDeliveryStatus; limit?: number }) => {
    const query = new URLSearchParams();
    if (filter.status) query.set("status", filter.status);
    query.set("limit", String(filter.limit ?? 50));
    return request<AlertDeliveryList>(`/api/alerts/deliveries?${query.toString()}`);
  },
  sendTestAlert: (channel: string) => post<AlertTestQueued>("/api/alerts/test", { channel }),
  retryAlertDelivery: (eventId: number, channel: string) =>
    post<AlertRetried>(`/api/alerts/deliveries/${eventId}/${encodeURIComponent(channel)}/retry`),
  scheduleTicks: (name: string, limit: number) =>
    request<ScheduleTickList>(
      `/api/automation/schedules/${encodeURIComponent(name)}/ticks?limit=${limit}`,
    ),
  /** Eager automation is named by its asset's key: slashes kept, as in asset paths. */
  setAutomationEnabled: (kind: AutomationKind, name: string, enabled: boolean) =>
    post<AutomationSwitch>(
      `/api/automation/${kind}/${assetPath(name)}/${enabled ? "enable" : "disable"}`,
    ),
  backfills: (filter: { status?: BackfillStatus; limit?: number }) => {
    const query = new URLSearchParams();
    if (filter.status) query.set("status", filter.status);
    query.set("limit", String(filter.limit ?? 50));
    return request<BackfillList>(`/api/backfills?${query.toString()}`);
  },
  backfill: (id: string) => request<BackfillDetail>(`/api/backfills/${encodeURIComponent(id)}`),
  startBackfill: (body: BackfillRequest) => post<BackfillCreated>("/api/backfills", body),
  /** What a backfill would materialise; nothing is created. */
  previewBackfill: (body: BackfillRequest) =>
    post<LaunchPreview>("/api/backfills", { ...body, preview: true }),
  cancelBackfill: (id: string) =>
    post<BackfillCanceled>(`/api/backfills/${encodeURIComponent(id)}/cancel`),
  /** Who is calling, and in which mode the server is (public: answers before sign-in). */
  session: () => request<Session>(SESSION_PATH).then(rememberSession),
  signIn: (body: SignInRequest) => post<Session>(SESSION_PATH, body).then(rememberSession),
  signOut: () => request<void>(SESSION_PATH, { method: "DELETE" }).finally(forgetSession),
  users: () => request<UserList>("/api/users"),
  addUser: (body: UserCreateRequest) => post<unknown>("/api/users", body),
  disableUser: (name: string) => post<unknown>(`/api/users/${encodeURIComponent(name)}/disable`),
  enableUser: (name: string) => post<unknown>(`/api/users/${encodeURIComponent(name)}/enable`),
  setUserPassword: (name: string, password: string) =>
    put<unknown>(`/api/users/${encodeURIComponent(name)}/password`, { password }),
  setUserRole: (name: string, role: Role) =>
    put<unknown>(`/api/users/${encodeURIComponent(name)}/role`, { role }),
  /**
   * The signed-in user's own password. Every session of theirs ends, this one too: the answer
   * is the new session (its cookie set), whose CSRF token the next writes carry.
   */
  changePassword: (body: PasswordChangeRequest) =>
    put<Session>("/api/account/password", body).then(rememberSession),
  /** The caller's own API tokens. */
  tokens: () => request<ApiTokenList>("/api/tokens"),
  createToken: (body: TokenCreateRequest) => post<TokenCreated>("/api/tokens", body),
  revokeToken: (id: string) =>
    request<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: "DELETE" }),
  /** The audit trail, newest first; `before` is the previous page's `nextBefore`. */
  audit: (filter: { actor?: string; action?: string; before?: string; limit?: number }) => {
    const query = new URLSearchParams();
    if (filter.actor) query.set("actor", filter.actor);
    if (filter.action) query.set("action", filter.action);
    if (filter.before) query.set("before", filter.before);
    query.set("limit", String(filter.limit ?? 50));
    return request<AuditList>(`/api/audit?${query.toString()}`);
  },
};
