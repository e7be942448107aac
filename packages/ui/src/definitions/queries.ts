import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useSyncExternalStore } from "react";
import { api } from "../api/client";
import { LIVE_MS } from "../api/queries";
import { isTokenNeeded, onTokenChange } from "../api/token";

const definitionsKey = ["definitions"] as const;

/**
 * The definitions the server serves (version, when loaded, a failed reload), polled; paused
 * while the server waits for an API token.
 */
export function useDefinitions() {
  const tokenNeeded = useSyncExternalStore(onTokenChange, isTokenNeeded);
  return useQuery({
    queryKey: definitionsKey,
    queryFn: api.definitions,
    refetchInterval: LIVE_MS,
    enabled: !tokenNeeded,
  });
}

/**
 * When the definitions' version changes — a reload here, in another tab, or of changed files —
 * every view reads its data again, so that new or removed assets show at once. Used once, by
 * the top bar.
 */
export function useFollowDefinitionsVersion(version: string | undefined): void {
  const client = useQueryClient();
  const seen = useRef<string | undefined>(undefined);
  useEffect(() => {
    if (version === undefined) return;
    if (seen.current !== undefined && seen.current !== version) {
      void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== definitionsKey[0] });
    }
    seen.current = version;
  }, [client, version]);
}

/** POST /api/definitions/reload; the definitions' state is read again after, failed or not. */
export function useReloadDefinitions() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: api.reloadDefinitions,
    onSettled: () => client.invalidateQueries({ queryKey: definitionsKey }),
  });
}
