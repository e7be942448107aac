import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";

/** Sizes change slowly: the Operations page polls less often than the run pages… */
const OPERATIONS_MS = 10_000;
/** …except while a maintenance run is queued or running, to show its outcome soon. */
const RUNNING_MS = 1_000;

export const operationsKey = ["operations"] as const;

export function useOperations() {
  return useQuery({
    queryKey: operationsKey,
    queryFn: api.operations,
    refetchInterval: (query) => {
      const status = query.state.data?.maintenance.lastRun?.status;
      return status === "QUEUED" || status === "STARTED" ? RUNNING_MS : OPERATIONS_MS;
    },
  });
}

/** A dry run of the maintenance job, asked for by a button (not polled). */
export function usePreviewMaintenance() {
  return useMutation({ mutationFn: api.previewMaintenance });
}

export function useStartMaintenance() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.startMaintenance,
    onSettled: () => client.invalidateQueries({ queryKey: operationsKey }),
  });
}
