import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "./client";
import type { RunRequest, RunStatus } from "./types";

/**
 * The UI's data: react-query hooks over the API. Statuses poll every couple of seconds so that
 * runs started anywhere (CLI, other tabs, schedules) show without reloading; the run page also
 * follows its run's live event stream.
 */
const LIVE_MS = 2_000;

export const keys = {
  assets: ["assets"] as const,
  asset: (key: string) => ["asset", key] as const,
  materializations: (key: string) => ["materializations", key] as const,
  runs: (filter: object) => ["runs", filter] as const,
  run: (id: string) => ["run", id] as const,
};

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
export const useReexecuteRun = () => useRunMutation((id: string) => api.reexecuteRun(id));
