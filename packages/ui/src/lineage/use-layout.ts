/**
 * The lineage page's layout: from the cache when this graph shape was laid out before, else from
 * a Web Worker (a main-thread `layoutGraph` where there is no Worker, e.g. in Node), then cached.
 *
 * When every group is collapsed (a few nodes) the layout is computed at once on the main thread.
 *
 * `useLayout(input)` returns `{ layout?, error? }`: `layout` is undefined while it is computed.
 * Pass an input whose identity changes only when the shape does (nodes' key and group, edges,
 * collapsed groups), e.g. from `useMemo`: the cache key is hashed again on every new input.
 */
import { startTransition, useEffect, useMemo, useState } from "react";
import { layoutGraph, type Layout, type LayoutInput } from "./layout";
import {
  fromPlain,
  layoutKey,
  readCachedLayout,
  toPlain,
  writeCachedLayout,
  type CacheStorage,
  type PlainLayout,
} from "./layout-cache";
import type { LayoutRequest, LayoutResponse } from "./layout-worker";

export interface LayoutState {
  readonly layout?: Layout;
  readonly error?: Error;
}

export function useLayout(input: LayoutInput | undefined): LayoutState {
  // A few collapsed groups lay out in milliseconds: at once, without a worker or the cache.
  const immediate = useMemo(
    () => (input && allCollapsed(input) ? layoutGraph(input) : undefined),
    [input],
  );
  const key = useMemo(
    () => (input && !immediate ? layoutKey(input) : undefined),
    [input, immediate],
  );
  const cached = useMemo(() => (key ? readCachedLayout(key) : undefined), [key]);
  const [computed, setComputed] = useState<{ key: string; state: LayoutState }>();
  useEffect(() => {
    if (!input || !key || cached) return;
    let live = true;
    computeLayout(input).then(
      ({ layout, json }) => {
        writeCachedLayout(key, json);
        // Drawing thousands of nodes: a render that yields to the browser.
        if (live) startTransition(() => setComputed({ key, state: { layout } }));
      },
      (error: unknown) => {
        if (live)
          setComputed({
            key,
            state: { error: error instanceof Error ? error : new Error(String(error)) },
          });
      },
    );
    return () => {
      live = false;
    };
    // The key stands for the input's shape.
  }, [key, cached]);
  if (immediate) return { layout: immediate };
  if (cached) return { layout: cached };
  return computed && computed.key === key ? computed.state : {};
}

/** Whether every node's group is collapsed (the overview: one node per group). */
function allCollapsed(input: LayoutInput): boolean {
  const collapsed = input.collapsed;
  return collapsed !== undefined && input.nodes.every((n) => collapsed.has(n.group));
}

/** Cache, else compute and store: `useLayout` without React. */
export async function loadLayout(input: LayoutInput, storage?: CacheStorage): Promise<Layout> {
  const key = layoutKey(input);
  const cached = readCachedLayout(key, storage);
  if (cached) return cached;
  const { layout, json } = await computeLayout(input);
  writeCachedLayout(key, json, storage);
  return layout;
}

interface Computed {
  readonly layout: Layout;
  /** The layout as the JSON of a `PlainLayout`, ready for the cache. */
  readonly json: string;
}

let worker: Worker | undefined;
let workerFailed = false;
let nextId = 0;
const pending = new Map<
  number,
  { request: LayoutRequest; resolve: (c: Computed) => void; reject: (e: Error) => void }
>();

/** Starts the layout worker (its script loads and compiles) before the first layout is asked. */
export function warmLayoutWorker(): void {
  layoutWorker();
}

/** Lays out in the worker when there is one, else on the main thread. */
export function computeLayout(input: LayoutInput): Promise<Computed> {
  const request: LayoutRequest = {
    id: nextId++,
    nodes: input.nodes.map((n) => ({ key: n.key, group: n.group })),
    edges: input.edges.map((e) => ({ from: e.from, to: e.to })),
    collapsed: [...(input.collapsed ?? [])],
  };
  const w = layoutWorker();
  if (!w) return Promise.resolve().then(() => onMainThread(request));
  return new Promise((resolve, reject) => {
    pending.set(request.id, { request, resolve, reject });
    w.postMessage(request);
  });
}

function onMainThread(request: LayoutRequest): Computed {
  const layout = layoutGraph({
    nodes: request.nodes,
    edges: request.edges,
    collapsed: new Set(request.collapsed),
  });
  const json = JSON.stringify(toPlain(layout));
  return { layout, json };
}

function layoutWorker(): Worker | undefined {
  if (worker || workerFailed) return worker;
  if (typeof Worker === "undefined") {
    workerFailed = true;
    return undefined;
  }
  try {
    worker = new Worker(new URL("./layout-worker.ts", import.meta.url), { type: "module" });
  } catch {
    workerFailed = true;
    return undefined;
  }
  worker.addEventListener("message", (event: MessageEvent<LayoutResponse>) => {
    const response = event.data;
    const waiting = pending.get(response.id);
    if (!waiting) return;
    pending.delete(response.id);
    if ("error" in response) waiting.reject(new Error(`Layout failed: ${response.error}`));
    else {
      try {
        waiting.resolve({
          layout: fromPlain(JSON.parse(response.json) as PlainLayout),
          json: response.json,
        });
      } catch (error) {
        waiting.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  });
  // A worker that cannot load (blocked, unsupported): lay out on the main thread instead.
  worker.addEventListener("error", () => {
    worker?.terminate();
    worker = undefined;
    workerFailed = true;
    for (const [id, waiting] of pending) {
      pending.delete(id);
      try {
        waiting.resolve(onMainThread(waiting.request));
      } catch (error) {
        waiting.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
  });
  return worker;
}
