import {
  applyNodeChanges,
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useReactFlow,
  useStore,
  ViewportPortal,
  type Edge,
  type EdgeTypes,
  type Node,
  type NodeChange,
  type NodeTypes,
} from "@xyflow/react";
import {
  startTransition,
  useCallback,
  useDeferredValue,
  useEffect,
  useMemo,
  useRef,
  useState,
  type FormEvent,
} from "react";
import { useLocation } from "wouter";
import { api, assetPath } from "../api/client";
import { useAssetGraph, useStartRun } from "../api/queries";
import { ASSET_STATUSES, type AssetGraph, type AssetNode, type RunRequest } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { useConfirmedLaunch } from "../components/useConfirmedLaunch";
import { formatNumber } from "../format";
import { useThemePreference } from "../theme/theme";
import { AssetNodeView, LaneView, type AssetFlowNode } from "./AssetNodeView";
import { flowEdges, flowNodes, groupSummaries } from "./flow-elements";
import { GroupNodeView, type GroupFlowNode } from "./GroupNodeView";
import { groupNodeId, type Layout, type LayoutInput } from "./layout";
import {
  adjacency,
  HighlightStore,
  lineageOf,
  LineageContext,
  type LineageActions,
} from "./lineage-state";
import { LineageSidebar } from "./LineageSidebar";
import { MaterializeDialog } from "./MaterializeDialog";
import { EdgeLayer, EdgeMarkers, RoutedEdgeView } from "./RoutedEdge";
import { useLayout, warmLayoutWorker } from "./use-layout";
import "./lineage.css";

const nodeTypes: NodeTypes = { asset: AssetNodeView, lane: LaneView, group: GroupNodeView };
const edgeTypes: EdgeTypes = { routed: RoutedEdgeView };
/** Above this many assets the lineage opens collapsed at group level, with the sidebar. */
export const COLLAPSED_ABOVE = 400;
/** Above this many drawn assets, far zooms thin out: edges come back when zooming in. */
const LARGE_GRAPH = 300;
const FAR_OUT_ZOOM = 0.2;
/** The zoom at which the page centres on an asset it jumps to. */
const JUMP_ZOOM = 0.9;
const NO_EDGES: Edge[] = [];

/** The whole asset graph, laid out by layer and grouped by asset group. */
export function LineagePage() {
  const graph = useAssetGraph();
  // The layout worker loads while the graph is requested.
  useEffect(warmLayoutWorker, []);
  // The graph is drawn (and redrawn on each status poll) in a render that yields to the
  // browser every few milliseconds, not in one long task.
  const data = useDeferredValue(graph.data);
  if (graph.error) return <ErrorLine error={graph.error} />;
  if (!data) return <p className="loading">Loading the asset graph…</p>;
  if (data.nodes.length === 0)
    return <p className="empty">No assets are defined. Pass definitions with --definitions.</p>;
  return (
    <ReactFlowProvider>
      <Lineage graph={data} />
    </ReactFlowProvider>
  );
}

/** The layout drawn and the collapsed groups it was laid out with. */
type Shown = { readonly layout: Layout; readonly collapsed: ReadonlySet<string> };

/** What to centre on once the layout that shows it is drawn. */
type Focus = { readonly id: string; readonly select: boolean };

function Lineage({ graph }: { graph: AssetGraph }) {
  const [, navigate] = useLocation();
  const flow = useReactFlow();
  const initialized = useNodesInitialized();
  const startRun = useStartRun();
  const [dialog, setDialog] = useState<readonly AssetNode[] | undefined>();
  const [find, setFind] = useState("");
  const colorMode = useThemePreference();

  // The layout depends on the graph's shape and the collapsed groups only: statuses refresh
  // without moving anything.
  const shape = useMemo(
    () => JSON.stringify([graph.nodes.map((n) => [n.key, n.group]), graph.edges]),
    [graph.nodes, graph.edges],
  );
  const groupNames = useMemo(() => [...new Set(graph.nodes.map((n) => n.group))], [shape]);
  const large = graph.nodes.length > COLLAPSED_ABOVE;
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(
    () => new Set(large ? groupNames : []),
  );
  const [sidebar, setSidebar] = useState(large);
  const input = useMemo<LayoutInput>(
    () => ({
      nodes: graph.nodes.map((n) => ({ key: n.key, group: n.group })),
      edges: graph.edges,
      collapsed,
    }),
    [shape, collapsed],
  );
  const computed = useLayout(input);
  // While a new layout is computed (a group collapsed or expanded), the previous one stays.
  const [previous, setPrevious] = useState<Shown | undefined>();
  useEffect(() => {
    if (computed.layout) setPrevious({ layout: computed.layout, collapsed });
    // `computed.layout` is the layout of the current `collapsed`.
  }, [computed.layout]);
  const shown: Shown | undefined = computed.layout
    ? { layout: computed.layout, collapsed }
    : previous;
  const layout = shown?.layout;
  const laying = computed.layout === undefined && computed.error === undefined;

  // The overview: every group collapsed. Its edges are drawn by `EdgeLayer`, not React Flow.
  const overview =
    shown !== undefined && groupNames.length > 1 && groupNames.every((g) => shown.collapsed.has(g));
  const edges = useMemo(
    () => (layout && !overview ? flowEdges(layout) : NO_EDGES),
    [layout, overview],
  );
  const groups = useMemo(() => groupSummaries(graph.nodes, groupNames), [graph.nodes, groupNames]);

  // A layout known at the first render (the overview, a cached one) is drawn in that render.
  const [nodes, setNodes] = useState<Node[]>(() =>
    layout ? flowNodes([], layout, graph.nodes, groups) : [],
  );
  const onNodesChange = useCallback(
    (changes: NodeChange[]) => setNodes((all) => applyNodeChanges(changes, all)),
    [],
  );
  // Level of detail: zoomed far out on a large graph, thousands of edges are a grey mass that
  // costs most of each frame; they come back when zooming in.
  const farOut = useStore((s) => s.transform[2] < FAR_OUT_ZOOM);
  const drawnAssets = useMemo(
    () => graph.nodes.filter((n) => !collapsed.has(n.group)).length,
    [graph.nodes, collapsed],
  );
  useEffect(() => {
    if (!layout) return;
    setNodes((previous) => {
      const next = flowNodes(previous, layout, graph.nodes, groups);
      return next.length === previous.length && next.every((n, i) => n === previous[i])
        ? previous
        : next;
    });
  }, [graph.nodes, groups, layout, setNodes]);

  const selected = useMemo(
    () =>
      nodes
        .filter((n): n is AssetFlowNode => n.type === "asset" && n.selected === true)
        .map((n) => n.data.asset),
    [nodes],
  );
  const staleSelected = selected.filter((a) => a.status !== "FRESH" && a.status !== "RUNNING");
  // What "Materialise stale" would build, in partitions (an unpartitioned asset counts one).
  const stalePartitions = staleSelected.reduce((sum, a) => sum + buildablePartitions(a), 0);

  const select = useCallback(
    (keys: ReadonlySet<string>) =>
      setNodes((all) =>
        all.map((n) =>
          n.type === "asset" && (n.selected ?? false) !== keys.has(n.id)
            ? { ...n, selected: keys.has(n.id) }
            : n,
        ),
      ),
    [setNodes],
  );

  // Highlight: the whole up- and downstream of the hovered node, else of the selection.
  const highlight = useMemo(() => new HighlightStore(), []);
  // Built on the first highlight, not in the first render.
  const graphAdjacency = useMemo(() => lazily(() => adjacency(graph.edges)), [shape]);
  const groupOf = useMemo(() => new Map(graph.nodes.map((n) => [n.key, n.group])), [shape]);
  const [hovered, setHovered] = useState<string | undefined>();
  // The overview's groups are so interlinked that a group's whole lineage is nearly
  // everything: hovering a group lights its own edges and neighbours only.
  useEffect(() => {
    if (overview && hovered?.startsWith("group:") && layout) {
      const edges = layout.edges.filter((e) => e.from === hovered || e.to === hovered);
      const nodes = new Set([hovered, ...edges.flatMap((e) => [e.from, e.to])]);
      return highlight.set({ edges: new Set(edges.map((e) => e.id)), nodes });
    }
    const focus = new Set<string>();
    if (hovered?.startsWith("group:")) {
      const group = groups.find((g) => groupNodeId(g.group) === hovered);
      for (const a of group?.assets ?? []) focus.add(a.key);
    } else if (hovered) focus.add(hovered);
    else for (const a of selected) focus.add(a.key);
    if (focus.size === 0) return highlight.set(null);
    const visible = (key: string): string => {
      const group = groupOf.get(key)!;
      return collapsed.has(group) ? groupNodeId(group) : key;
    };
    highlight.set(lineageOf(focus, graphAdjacency(), visible));
  }, [hovered, selected, collapsed, graphAdjacency, groupOf, groups, highlight, overview, layout]);

  const toggleGroup = useCallback((group: string) => {
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(group)) next.add(group);
      return next;
    });
    setHovered(undefined);
  }, []);
  const actions = useMemo<LineageActions>(
    () => ({ highlight, toggleGroup }),
    [highlight, toggleGroup],
  );
  // Stable, so that hovering a node (a render of this page) does not re-render the sidebar.
  const collapseAll = useCallback(
    () => startTransition(() => setCollapsed(new Set(groupNames))),
    [groupNames],
  );
  const expandAll = useCallback(() => startTransition(() => setCollapsed(new Set())), []);

  // Centring waits for the layout that draws the node (a group being expanded).
  const [focus, setFocus] = useState<Focus | undefined>();
  useEffect(() => {
    if (!focus || !layout || !initialized) return;
    const position = layout.positions.get(focus.id);
    const size = layout.sizes.get(focus.id);
    const lane = layout.groups.find((g) => `lane:${g.group}` === focus.id);
    if (position && size) {
      void flow.setCenter(position.x + size.width / 2, position.y + size.height / 2, {
        zoom: Math.max(flow.getZoom(), JUMP_ZOOM),
        duration: 300,
      });
      if (focus.select) select(new Set([focus.id]));
    } else if (lane) {
      void flow.fitView({ nodes: [{ id: focus.id }], duration: 300, maxZoom: 1 });
    } else return;
    setFocus(undefined);
  }, [focus, layout, initialized, flow, select]);

  const jumpToAsset = useCallback(
    (key: string) => {
      const group = groupOf.get(key);
      if (group !== undefined)
        setCollapsed((c) => {
          if (!c.has(group)) return c;
          const next = new Set(c);
          next.delete(group);
          return next;
        });
      setFocus({ id: key, select: true });
    },
    [groupOf],
  );
  const jumpToGroup = useCallback(
    (group: string) =>
      setFocus({ id: collapsed.has(group) ? groupNodeId(group) : `lane:${group}`, select: false }),
    [collapsed],
  );

  // The first layout is fitted to the window (at group level, a large graph fits readably).
  // It waits for the pane to be measured (a fit before that would be lost), and the page is
  // ready once it is done (nothing moves the view before, or after, unasked).
  const fitted = useRef(false);
  const [fittedView, setFittedView] = useState(false);
  const paneReady = useStore((s) => s.panZoom !== null && s.width > 0 && s.height > 0);
  useEffect(() => {
    if (fitted.current || !layout || !initialized || !paneReady) return;
    fitted.current = true;
    void flow.fitView({ padding: 0.08, maxZoom: 1 }).then(() => setFittedView(true));
  }, [layout, initialized, flow, paneReady]);

  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const needle = find.trim().toLowerCase();
    if (!needle) return;
    const matches = graph.nodes.filter((n) => n.key.toLowerCase().includes(needle));
    const hidden = new Set(matches.map((m) => m.group).filter((g) => collapsed.has(g)));
    if (hidden.size > 0) setCollapsed((c) => new Set([...c].filter((g) => !hidden.has(g))));
    select(new Set(matches.map((m) => m.key)));
    if (matches.length === 1) setFocus({ id: matches[0]!.key, select: true });
    else if (matches.length > 0)
      void flow.fitView({ nodes: matches.map((m) => ({ id: m.key })), duration: 300 });
  };

  const launchRun = useCallback(
    (body: RunRequest) =>
      startRun.mutate(body, { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) }),
    [startRun, navigate],
  );
  // Large launches (over 50 partitions, or an asset's own limit) are confirmed with a count and
  // an estimate first.
  const confirmed = useConfirmedLaunch(api.previewRun, launchRun);
  const materializeStale = () =>
    confirmed.request({ selection: staleSelected.map((a) => a.key).join(","), stale: true });

  const totals = useMemo(() => {
    const t: Record<string, number> = {};
    for (const n of graph.nodes) t[n.status] = (t[n.status] ?? 0) + 1;
    return t;
  }, [graph.nodes]);

  const ready = layout !== undefined && initialized && fittedView;
  return (
    <LineageContext.Provider value={actions}>
      <div className="lineage" data-testid="lineage" data-ready={ready ? "true" : "false"}>
        <div className="toolbar">
          <button
            className="link-button"
            data-testid="toggle-sidebar"
            onClick={() => setSidebar((s) => !s)}
            aria-pressed={sidebar}
          >
            {sidebar ? "Hide groups" : "Groups"}
          </button>
          <form onSubmit={onFind} className="find">
            <input
              placeholder="Find assets…"
              value={find}
              onChange={(e) => setFind(e.target.value)}
              aria-label="Find assets"
              data-testid="find-assets"
            />
          </form>
          <span className="legend">
            {ASSET_STATUSES.filter((s) => totals[s]).map((s) => (
              <span key={s} className={`legend-item status-${s.toLowerCase()}`}>
                <span className="status-dot" /> {formatNumber(totals[s]!)} {s.toLowerCase()}
              </span>
            ))}
          </span>
          <span className="spacer" />
          <span className="muted" data-testid="selection-count">
            {selected.length === 0
              ? "Click to select, shift-drag or ⌘/ctrl-click for several"
              : `${selected.length} selected`}
          </span>
          {selected.length > 0 && (
            <button className="link-button" onClick={() => select(new Set())}>
              Clear
            </button>
          )}
          <button
            data-testid="materialize-selected"
            disabled={selected.length === 0}
            onClick={() => setDialog(selected)}
          >
            Materialise{selected.length > 0 ? ` (${selected.length})` : ""}
          </button>
          <button
            data-testid="materialize-stale"
            disabled={staleSelected.length === 0 || startRun.isPending || confirmed.checking}
            onClick={materializeStale}
            title="Materialise the missing, stale and failed partitions of the selected assets (those waiting on upstream partitions never materialised are left out)"
          >
            Materialise stale
            {staleSelected.length > 0 ? ` (${describePartitionCount(stalePartitions)})` : ""}
          </button>
        </div>
        {confirmed.dialog}
        {confirmed.error !== undefined && <ErrorLine error={confirmed.error} />}
        {startRun.error && (
          <ErrorLine
            error={startRun.error}
            onConfirm={() =>
              startRun.variables &&
              startRun.mutate(
                { ...startRun.variables, confirm: true },
                { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) },
              )
            }
          />
        )}
        {computed.error && <ErrorLine error={computed.error} />}
        <div className="lineage-body">
          {sidebar && (
            <LineageSidebar
              groups={groups}
              collapsed={collapsed}
              onAsset={jumpToAsset}
              onGroup={jumpToGroup}
              onCollapseAll={collapseAll}
              onExpandAll={expandAll}
            />
          )}
          <div className={overview ? "flow overview" : "flow"}>
            <EdgeMarkers />
            {laying && (
              <div className="lineage-laying-out" data-testid="lineage-laying-out">
                Laying out {formatNumber(drawnAssets)} assets…
              </div>
            )}
            <ReactFlow
              nodes={nodes}
              edges={drawnAssets > LARGE_GRAPH && farOut ? NO_EDGES : edges}
              nodeTypes={nodeTypes}
              edgeTypes={edgeTypes}
              onNodesChange={onNodesChange}
              onNodeMouseEnter={(_, node) => node.type !== "lane" && setHovered(node.id)}
              onNodeMouseLeave={() => setHovered(undefined)}
              onNodeDoubleClick={(_, node) => {
                if (node.type === "asset") navigate(`/assets/${assetPath(node.id)}`);
                if (node.type === "group") toggleGroup((node as GroupFlowNode).data.group);
              }}
              zoomOnDoubleClick={false}
              nodesDraggable={false}
              nodesConnectable={false}
              edgesFocusable={false}
              onlyRenderVisibleElements
              multiSelectionKeyCode={["Meta", "Control"]}
              selectionKeyCode="Shift"
              minZoom={0.03}
              maxZoom={2}
              proOptions={{ hideAttribution: true }}
              colorMode={colorMode}
            >
              <Background gap={24} />
              {overview && layout && (
                <ViewportPortal>
                  <EdgeLayer edges={layout.edges} />
                </ViewportPortal>
              )}
              <Controls showInteractive={false} />
              {/* The overview's few group nodes fit the window. Above LARGE_GRAPH drawn assets
                  the minimap's one element per asset cost more than a second of "Expand all":
                  the sidebar is the map there. */}
              {graph.nodes.length > 30 && !overview && drawnAssets <= LARGE_GRAPH && (
                <MiniMap pannable zoomable nodeColor={minimapColor} />
              )}
            </ReactFlow>
          </div>
        </div>
        {dialog && <MaterializeDialog assets={dialog} onClose={() => setDialog(undefined)} />}
      </div>
    </LineageContext.Provider>
  );
}

/** `make()`, called once on first use. */
function lazily<T>(make: () => T): () => T {
  let value: { readonly v: T } | undefined;
  return () => (value ??= { v: make() }).v;
}

const MINIMAP_COLORS: Record<string, string> = {
  FRESH: "#2f9e5b",
  STALE: "#d9a21b",
  MISSING: "#a0a7b4",
  FAILED: "#d64545",
  RUNNING: "#3b7dd8",
};

function minimapColor(node: Node): string {
  if (node.type === "group") return "#b8c0cc";
  if (node.type !== "asset") return "transparent";
  return MINIMAP_COLORS[(node as AssetFlowNode).data.asset.status] ?? "#999";
}

/** Partitions "Materialise stale" builds for an asset: not those waiting on upstream. */
function buildablePartitions(asset: AssetNode): number {
  if (!asset.partitioned) return asset.status === "FRESH" || asset.status === "RUNNING" ? 0 : 1;
  const h = asset.health;
  return Math.max(0, h.missing + h.stale + h.failed - h.waiting);
}

function describePartitionCount(n: number): string {
  return `${formatNumber(n)} partition${n === 1 ? "" : "s"}`;
}
