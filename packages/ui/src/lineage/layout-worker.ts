/**
 * Web Worker running `layoutGraph` off the main thread. It receives `LayoutRequest`s and answers
 * with the layout as the JSON of a `PlainLayout`, which the page parses and can store in the
 * cache as is. Loaded by use-layout.ts with
 * `new Worker(new URL("./layout-worker.ts", import.meta.url), { type: "module" })`.
 */
import { toPlain } from "./layout-cache";
import { layoutGraph } from "./layout";

export interface LayoutRequest {
  readonly id: number;
  readonly nodes: readonly { readonly key: string; readonly group: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  readonly collapsed: readonly string[];
}

export type LayoutResponse =
  { readonly id: number; readonly json: string } | { readonly id: number; readonly error: string };

/** Lays out one request; the worker's whole job, callable without a worker. */
export function answer(request: LayoutRequest): LayoutResponse {
  try {
    const layout = layoutGraph({
      nodes: request.nodes,
      edges: request.edges,
      collapsed: new Set(request.collapsed),
    });
    return { id: request.id, json: JSON.stringify(toPlain(layout)) };
  } catch (error) {
    return { id: request.id, error: error instanceof Error ? error.message : String(error) };
  }
}

// In a worker, `self` is the worker's global scope; this module is only loaded as a worker.
if (typeof self !== "undefined" && typeof window === "undefined" && "postMessage" in self) {
  self.addEventListener("message", (event: MessageEvent<LayoutRequest>) => {
    self.postMessage(answer(event.data));
  });
}
