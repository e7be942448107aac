import { createContext, useContext, useSyncExternalStore } from "react";

/**
 * What the lineage highlights (the up- and downstream of the hovered or selected assets) and
 * what its nodes can ask of the page, shared through context: an edge or a node re-renders
 * only when its own highlight changes.
 */
export interface Highlight {
  /** Visible edge ids (`${from}->${to}`) on the lineage. */
  readonly edges: ReadonlySet<string>;
  /** Visible node ids (asset keys or `group:<name>`) on the lineage. */
  readonly nodes: ReadonlySet<string>;
}

export type HighlightState = "" | "lit" | "dimmed";

export class HighlightStore {
  private current: Highlight | null = null;
  private readonly listeners = new Set<() => void>();

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  set(highlight: Highlight | null): void {
    if (highlight === this.current) return;
    this.current = highlight;
    for (const listener of this.listeners) listener();
  }

  edge(id: string): HighlightState {
    if (!this.current) return "";
    return this.current.edges.has(id) ? "lit" : "dimmed";
  }

  node(id: string): HighlightState {
    if (!this.current) return "";
    return this.current.nodes.has(id) ? "lit" : "dimmed";
  }
}

export interface LineageActions {
  readonly highlight: HighlightStore;
  /** Collapses an expanded group, expands a collapsed one. */
  toggleGroup(group: string): void;
}

export const LineageContext = createContext<LineageActions | null>(null);

export function useLineageActions(): LineageActions {
  const actions = useContext(LineageContext);
  if (!actions) throw new Error("useLineageActions outside of the lineage page");
  return actions;
}

export function useEdgeHighlight(id: string): HighlightState {
  const { highlight } = useLineageActions();
  return useSyncExternalStore(highlight.subscribe, () => highlight.edge(id));
}

export function useNodeHighlight(id: string): HighlightState {
  const { highlight } = useLineageActions();
  return useSyncExternalStore(highlight.subscribe, () => highlight.node(id));
}

export interface Adjacency {
  readonly parents: ReadonlyMap<string, readonly string[]>;
  readonly children: ReadonlyMap<string, readonly string[]>;
  readonly edges: readonly { readonly from: string; readonly to: string }[];
}

export function adjacency(edges: readonly { from: string; to: string }[]): Adjacency {
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const e of edges) {
    (parents.get(e.to) ?? parents.set(e.to, []).get(e.to)!).push(e.from);
    (children.get(e.from) ?? children.set(e.from, []).get(e.from)!).push(e.to);
  }
  return { parents, children, edges };
}

function reach(start: Iterable<string>, next: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set<string>();
  const queue = [...start];
  for (let i = 0; i < queue.length; i++) {
    for (const other of next.get(queue[i]!) ?? []) {
      if (seen.has(other)) continue;
      seen.add(other);
      queue.push(other);
    }
  }
  return seen;
}

/**
 * The whole upstream and downstream of the focused assets, as visible edges and nodes: an
 * asset edge is on it when it leads into the focus from upstream or out of it downstream;
 * `visible` maps an asset to the node that draws it (itself, or its collapsed group).
 */
export function lineageOf(
  focus: ReadonlySet<string>,
  graph: Adjacency,
  visible: (key: string) => string,
): Highlight {
  const upstream = reach(focus, graph.parents);
  const downstream = reach(focus, graph.children);
  const edges = new Set<string>();
  for (const e of graph.edges) {
    const up = upstream.has(e.from) && (upstream.has(e.to) || focus.has(e.to));
    const down = downstream.has(e.to) && (downstream.has(e.from) || focus.has(e.from));
    if (!up && !down) continue;
    const from = visible(e.from);
    const to = visible(e.to);
    if (from !== to) edges.add(`${from}->${to}`);
  }
  const nodes = new Set<string>();
  for (const set of [focus, upstream, downstream]) for (const key of set) nodes.add(visible(key));
  return { edges, nodes };
}
