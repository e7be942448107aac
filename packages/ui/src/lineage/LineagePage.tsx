import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  ReactFlowProvider,
  useNodesInitialized,
  useNodesState,
  useReactFlow,
  useStore,
  type Edge,
  type Node,
  type NodeTypes,
} from "@xyflow/react";
import { useCallback, useEffect, useMemo, useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { assetPath } from "../api/client";
import { useAssetGraph, useStartRun } from "../api/queries";
import { ASSET_STATUSES, type AssetGraph, type AssetNode } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { formatNumber } from "../format";
import { useThemePreference } from "../theme/theme";
import { AssetNodeView, LaneView, type AssetFlowNode, type LaneFlowNode } from "./AssetNodeView";
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH } from "./layout";
import { MaterializeDialog } from "./MaterializeDialog";

const nodeTypes: NodeTypes = { asset: AssetNodeView, lane: LaneView };
/** Above this many assets the lineage opens zoomed on its start and thins out far zooms. */
const LARGE_GRAPH = 300;
const FAR_OUT_ZOOM = 0.2;
const NO_EDGES: Edge[] = [];

/** The whole asset graph, laid out by layer and grouped by asset group. */
export function LineagePage() {
  const graph = useAssetGraph();
  if (graph.error) return <ErrorLine error={graph.error} />;
  if (!graph.data) return <p className="loading">Loading the asset graph…</p>;
  if (graph.data.nodes.length === 0)
    return <p className="empty">No assets are defined. Pass definitions with --definitions.</p>;
  return (
    <ReactFlowProvider>
      <Lineage graph={graph.data} />
    </ReactFlowProvider>
  );
}

function Lineage({ graph }: { graph: AssetGraph }) {
  const [, navigate] = useLocation();
  const flow = useReactFlow();
  const initialized = useNodesInitialized();
  const startRun = useStartRun();
  const [dialog, setDialog] = useState<readonly AssetNode[] | undefined>();
  const [find, setFind] = useState("");
  const colorMode = useThemePreference();

  // The layout depends on the graph's shape only: statuses refresh without moving anything.
  const shape = useMemo(
    () => JSON.stringify([graph.nodes.map((n) => [n.key, n.group]), graph.edges]),
    [graph.nodes, graph.edges],
  );
  const layout = useMemo(() => layoutGraph(graph), [shape]);
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((e) => ({
        id: `${e.from}->${e.to}`,
        source: e.from,
        target: e.to,
        focusable: false,
        selectable: false,
      })),
    [shape],
  );

  const [nodes, setNodes, onNodesChange] = useNodesState<Node>([]);
  const large = graph.nodes.length > LARGE_GRAPH;
  // Level of detail: zoomed far out on a large graph, thousands of edges are a grey mass that
  // costs most of each frame; they come back when zooming in.
  const farOut = useStore((s) => s.transform[2] < FAR_OUT_ZOOM);
  useEffect(() => {
    // Status polls give new asset objects only for assets that changed (react-query keeps the
    // others), so unchanged nodes keep their identity and do not re-render.
    setNodes((previous) => {
      const before = new Map(previous.map((n) => [n.id, n]));
      const lanes: LaneFlowNode[] = layout.groups.map((g) => {
        const id = `lane:${g.group}`;
        const old = before.get(id) as LaneFlowNode | undefined;
        const count = graph.nodes.filter((n) => n.group === g.group).length;
        if (old && old.position.x === g.x && old.position.y === g.y && old.data.count === count)
          return old;
        return {
          id,
          type: "lane",
          position: { x: g.x, y: g.y },
          data: { group: g.group, count },
          style: { width: g.width, height: g.height },
          width: g.width,
          height: g.height,
          selectable: false,
          draggable: false,
          focusable: false,
          zIndex: -1,
        };
      });
      const assets: AssetFlowNode[] = graph.nodes.map((asset) => {
        const old = before.get(asset.key) as AssetFlowNode | undefined;
        const position = layout.positions.get(asset.key)!;
        if (old && old.data.asset === asset && old.position === position) return old;
        return {
          id: asset.key,
          type: "asset",
          position,
          data: { asset },
          width: NODE_WIDTH,
          height: NODE_HEIGHT,
          selected: old?.selected ?? false,
          draggable: false,
        };
      });
      return [...lanes, ...assets];
    });
  }, [graph.nodes, layout, setNodes]);

  const selected = useMemo(
    () =>
      nodes
        .filter((n): n is AssetFlowNode => n.type === "asset" && n.selected === true)
        .map((n) => n.data.asset),
    [nodes],
  );
  const staleSelected = selected.filter((a) => a.status !== "FRESH" && a.status !== "RUNNING");

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

  const onFind = (e: FormEvent) => {
    e.preventDefault();
    const needle = find.trim().toLowerCase();
    if (!needle) return;
    const matches = graph.nodes.filter((n) => n.key.toLowerCase().includes(needle));
    select(new Set(matches.map((m) => m.key)));
    if (matches.length > 0)
      void flow.fitView({ nodes: matches.map((m) => ({ id: m.key })), duration: 300 });
  };

  const materializeStale = () => {
    startRun.mutate(
      { selection: staleSelected.map((a) => a.key).join(","), stale: true },
      { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) },
    );
  };

  const totals = useMemo(() => {
    const t: Record<string, number> = {};
    for (const n of graph.nodes) t[n.status] = (t[n.status] ?? 0) + 1;
    return t;
  }, [graph.nodes]);

  return (
    <div className="lineage" data-testid="lineage" data-ready={initialized ? "true" : "false"}>
      <div className="toolbar">
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
          disabled={staleSelected.length === 0 || startRun.isPending}
          onClick={materializeStale}
          title="Materialise the missing, stale and failed partitions of the selected assets"
        >
          Materialise stale{staleSelected.length > 0 ? ` (${staleSelected.length})` : ""}
        </button>
      </div>
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
      <div className="flow">
        <ReactFlow
          nodes={nodes}
          edges={large && farOut ? NO_EDGES : edges}
          nodeTypes={nodeTypes}
          onNodesChange={onNodesChange}
          onNodeDoubleClick={(_, node) => {
            if (node.type === "asset") navigate(`/assets/${assetPath(node.id)}`);
          }}
          nodesDraggable={false}
          nodesConnectable={false}
          edgesFocusable={false}
          onlyRenderVisibleElements
          multiSelectionKeyCode={["Meta", "Control"]}
          selectionKeyCode="Shift"
          minZoom={0.03}
          maxZoom={2}
          {...(large
            ? // A large graph opens readable on its upstream end (the minimap shows the rest):
              // fitting 2,000 assets would draw them all at a size nobody can read.
              { defaultViewport: { x: 24, y: 24, zoom: 0.6 } }
            : { fitView: true, fitViewOptions: { padding: 0.08 } })}
          proOptions={{ hideAttribution: true }}
          colorMode={colorMode}
        >
          <Background gap={24} />
          <Controls showInteractive={false} />
          {graph.nodes.length > 30 && <MiniMap pannable zoomable nodeColor={minimapColor} />}
        </ReactFlow>
      </div>
      {dialog && <MaterializeDialog assets={dialog} onClose={() => setDialog(undefined)} />}
    </div>
  );
}

const MINIMAP_COLORS: Record<string, string> = {
  FRESH: "#2f9e5b",
  STALE: "#d9a21b",
  MISSING: "#a0a7b4",
  FAILED: "#d64545",
  RUNNING: "#3b7dd8",
};

function minimapColor(node: Node): string {
  if (node.type !== "asset") return "transparent";
  return MINIMAP_COLORS[(node as AssetFlowNode).data.asset.status] ?? "#999";
}
