import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "./client";
import { clearSessionEnded } from "./session";
import {
  type PasswordChangeRequest,
  type Role,
  type Session,
  type TokenCreateRequest,
  type UserCreateRequest,
  isBackfillDone,
  type AlertDeliveryStatus,
  type AutomationKind,
  type BackfillRequest,
  type BackfillStatus,
  type RunRequest,
  type RunStatus,
} from "./types";

/**
 * The UI's data: react-query hooks over the API. Statuses poll every couple of seconds so that
 * runs started anywhere (CLI, other tabs, schedules) show without reloading; the run page also
 * follows its run's live event stream.
 */
export const LIVE_MS = 2_000;

export const keys = {
  assets: ["assets"] as const,
  asset: (key: string) => ["asset", key] as const,
  partition: (key: string, partitionKey: string) => ["partition", key, partitionKey] as const,
  materializations: (key: string) => ["materializations", key] as const,
  runs: (filter: object) => ["runs", filter] as const,
  run: (id: string) => ["run", id] as const,
  automation: ["automation"] as const,
  alertChannels: ["alertChannels"] as const,
  alertDeliveries: (filter: object) => ["alertDeliveries", filter] as const,
  scheduleTicks: (name: string) => ["scheduleTicks", name] as const,
  backfills: (filter: object) => ["backfills", filter] as const,
  backfill: (id: string) => ["backfill", id] as const,
  checks: (key: string) => ["checks", key] as const,
  checkHistory: (key: string, name: string, partitionKey: string | undefined) =>
    ["checkHistory", key, name, partitionKey ?? ""] as const,
  session: ["session"] as const,
  users: ["users"] as const,
  tokens: ["tokens"] as const,
  audit: (filter: object) => ["audit", filter] as const,
};

/** An asset's checks: switches, latest result per partition (polled like statuses). */
export function useAssetChecks(key: string) {
  return useQuery({
    queryKey: keys.checks(key),
    queryFn: () => api.assetChecks(key),
    refetchInterval: LIVE_MS,
  });
}

/** The last results of one check on one partition (or on all), newest first. */
export function useCheckHistory(key: string, name: string, partitionKey: string | undefined) {
  return useQuery({
    queryKey: keys.checkHistory(key, name, partitionKey),
    queryFn: () => api.checkHistory(key, name, partitionKey, 10),
    refetchInterval: LIVE_MS,
  });
}

/** Switches a check off or on; the asset's checks and statuses are read again after. */
export function useSetCheckEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (arg: { assetKey: string; name: string; enabled: boolean }) =>
      api.setCheckEnabled(arg.assetKey, arg.name, arg.enabled),
    onSettled: () => client.invalidateQueries(),
  });
}

/** Starts a run that only evaluates checks. */
export function useRunChecks() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.runChecks,
    onSuccess: async () => {
      await client.invalidateQueries();
    },
  });
}

export function useAssetGraph() {
  return useQuery({ queryKey: keys.assets, queryFn: api.assets, refetchInterval: LIVE_MS });
}

export function useAssetDetail(key: string) {
  return useQuery({
    queryKey: keys.asset(key),
    queryFn: () => api.asset(key),
    refetchInterval: LIVE_MS,
  });
}

export function usePartitionDetail(key: string, partitionKey: string) {
  return useQuery({
    queryKey: keys.partition(key, partitionKey),
    queryFn: () => api.partition(key, partitionKey),
    refetchInterval: LIVE_MS,
  });
}

export function useMaterializations(key: string, latestPerPartition: boolean) {
  return useQuery({
    queryKey: [...keys.materializations(key), latestPerPartition],
    queryFn: () => api.materializations(key, { limit: 2_000, latestPerPartition }),
    refetchInterval: LIVE_MS * 3,
  });
}

export function useRuns(filter: { status?: RunStatus; asset?: string; limit?: number }) {
  return useQuery({
    queryKey: keys.runs(filter),
    queryFn: () => api.runs(filter),
    refetchInterval: LIVE_MS,
  });
}

export function useRun(id: string, live: boolean) {
  return useQuery({
    queryKey: keys.run(id),
    queryFn: () => api.run(id),
    refetchInterval: live ? LIVE_MS : false,
  });
}

/** Starting, cancelling or re-executing a run refreshes every status on screen. */
function useRunMutation<A>(fn: (arg: A) => Promise<{ runId: string }>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: async () => {
      await client.invalidateQueries();
    },
  });
}

export const useStartRun = () => useRunMutation((body: RunRequest) => api.startRun(body));
export const useCancelRun = () => useRunMutation((id: string) => api.cancelRun(id));
export const useReexecuteRun = () =>
  useRunMutation((arg: { id: string; confirm?: true }) => api.reexecuteRun(arg.id, arg.confirm));

export function useAutomation() {
  return useQuery({ queryKey: keys.automation, queryFn: api.automation, refetchInterval: LIVE_MS });
}

export function useScheduleTicks(name: string, limit: number) {
  return useQuery({
    queryKey: [...keys.scheduleTicks(name), limit],
    queryFn: () => api.scheduleTicks(name, limit),
    refetchInterval: LIVE_MS,
  });
}

/**
 * Switches a schedule, sensor or eager asset on or off. The mutation stays pending until the
 * overview is fetched again, so the switch can show the requested state meanwhile.
 */
export function useSetAutomationEnabled() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (arg: { kind: AutomationKind; name: string; enabled: boolean }) =>
      api.setAutomationEnabled(arg.kind, arg.name, arg.enabled),
    onSettled: () => client.invalidateQueries({ queryKey: keys.automation }),
  });
}

export function useAlertChannels() {
  return useQuery({ queryKey: keys.alertChannels, queryFn: api.alertChannels });
}

export function useAlertDeliveries(filter: { status?: AlertDeliveryStatus; limit?: number }) {
  return useQuery({
    queryKey: keys.alertDeliveries(filter),
    queryFn: () => api.alertDeliveries(filter),
    refetchInterval: LIVE_MS,
  });
}

/** "Send a test" to one channel; the deliveries are fetched again once it is written. */
export function useSendTestAlert() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (channel: string) => api.sendTestAlert(channel),
    onSettled: () => client.invalidateQueries({ queryKey: ["alertDeliveries"] }),
  });
}

/** Another set of tries for a dead delivery. */
export function useRetryAlertDelivery() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (arg: { eventId: number; channel: string }) =>
      api.retryAlertDelivery(arg.eventId, arg.channel),
    onSettled: () => client.invalidateQueries({ queryKey: ["alertDeliveries"] }),
  });
}

export function useBackfills(filter: { status?: BackfillStatus; limit?: number }) {
  return useQuery({
    queryKey: keys.backfills(filter),
    queryFn: () => api.backfills(filter),
    refetchInterval: LIVE_MS,
  });
}

/** Polled until there is nothing left to wait for. */
export function useBackfill(id: string) {
  return useQuery({
    queryKey: keys.backfill(id),
    queryFn: () => api.backfill(id),
    refetchInterval: (query) =>
      query.state.data && isBackfillDone(query.state.data.backfill) ? false : LIVE_MS,
  });
}

/** Launching or cancelling a backfill queues or cancels runs: every status on screen refreshes. */
export function useStartBackfill() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: BackfillRequest) => api.startBackfill(body),
    onSuccess: async () => {
      await client.invalidateQueries();
    },
  });
}

export function useCancelBackfill() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.cancelBackfill(id),
    onSuccess: async () => {
      await client.invalidateQueries();
    },
  });
}

/**
 * Who is calling and the server's mode; asked again when a call comes back 401, and every
 * minute (a role changed by an admin shows in the top bar).
 */
export function useSession() {
  return useQuery({
    queryKey: keys.session,
    queryFn: api.session,
    staleTime: SESSION_MS,
    refetchInterval: SESSION_MS,
  });
}

const SESSION_MS = 60_000;

/**
 * Signing in or out: the session is replaced by the answer, and nothing read under the
 * previous one is kept (a back-navigation after signing out shows no data).
 */
function useSessionChange<A>(fn: (arg: A) => Promise<Session>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (session) => {
      clearSessionEnded();
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
      client.setQueryData(keys.session, session);
    },
  });
}

export const useSignIn = () => useSessionChange(api.signIn);
export const useSignOut = () =>
  useSessionChange(async (): Promise<Session> => {
    // A session that already ended needs no signing out.
    await api.signOut().catch((e: unknown) => {
      if (!(e instanceof ApiError && e.status === 401)) throw e;
    });
    return api.session();
  });

export function useUsers() {
  return useQuery({ queryKey: keys.users, queryFn: api.users });
}

/** A change to the users; the list (and the trail) are read again after. */
function useUserMutation<A>(fn: (arg: A) => Promise<unknown>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSettled: async () => {
      await client.invalidateQueries({ queryKey: keys.users });
      await client.invalidateQueries({ queryKey: ["audit"] });
    },
  });
}

export const useAddUser = () => useUserMutation((body: UserCreateRequest) => api.addUser(body));
export const useDisableUser = () => useUserMutation((name: string) => api.disableUser(name));
export const useEnableUser = () => useUserMutation((name: string) => api.enableUser(name));
export const useSetUserRole = () =>
  useUserMutation((arg: { name: string; role: Role }) => api.setUserRole(arg.name, arg.role));
export const useSetUserPassword = () =>
  useUserMutation((arg: { name: string; password: string }) =>
    api.setUserPassword(arg.name, arg.password),
  );

/**
 * The signed-in user changes their own password. It answers a new session, which replaces the
 * one kept (the client already sends its CSRF token); the trail is read again after.
 */
export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: PasswordChangeRequest) => api.changePassword(body),
    onSuccess: (session) => client.setQueryData(keys.session, session),
    onSettled: () => client.invalidateQueries({ queryKey: ["audit"] }),
  });
}

export function useTokens() {
  return useQuery({ queryKey: keys.tokens, queryFn: api.tokens });
}

export function useCreateToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: TokenCreateRequest) => api.createToken(body),
    onSettled: () => client.invalidateQueries({ queryKey: keys.tokens }),
  });
}

export function useRevokeToken() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.revokeToken(id),
    onSettled: () => client.invalidateQueries({ queryKey: keys.tokens }),
  });
}

/** One page of the audit trail (newest first), kept on screen while the next one loads. */
export function useAudit(filter: { actor?: string; action?: string; before?: string }) {
  return useQuery({
    queryKey: keys.audit(filter),
    queryFn: () => api.audit(filter),
    placeholderData: keepPreviousData,
    refetchInterval: filter.before ? false : LIVE_MS * 5,
  });
}
