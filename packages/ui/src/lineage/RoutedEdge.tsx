import type { Edge, EdgeProps } from "@xyflow/react";
import { memo, useDeferredValue, useMemo } from "react";
import { routePath, type RoutedEdge } from "./layout";
import { useEdgeHighlight } from "./lineage-state";

export type RoutedFlowEdge = Edge<{ route: RoutedEdge }, "routed">;

/**
 * An edge drawn along the route the layout gave it (`routePath`, between the columns and
 * around the boxes), ending in an arrowhead at its target. Aggregated edges (between collapsed
 * groups) are thicker with their count.
 */
export const RoutedEdgeView = memo(function RoutedEdgeView({ data }: EdgeProps<RoutedFlowEdge>) {
  return <EdgePath route={data!.route} />;
});

/**
 * The overview's edges (every group collapsed) in one SVG in the flow's viewport, over the nodes
 * but letting the pointer through: as drawn by `RoutedEdgeView`, without React Flow's per-edge
 * work (a wrapper, store selectors and node lookups each), which a few hundred aggregated edges
 * between interlinked groups made the largest cost of the page's first render.
 */
export const EdgeLayer = memo(function EdgeLayer({ edges }: { edges: readonly RoutedEdge[] }) {
  // Drawn in a render of their own, after the nodes: a first paint sooner, no long task.
  const shown = useDeferredValue(edges, NONE);
  return (
    <svg className="lineage-edge-layer" width="1" height="1" aria-hidden="true">
      {shown.map((route) => (
        <EdgePath key={route.id} route={route} />
      ))}
    </svg>
  );
});

const NONE: readonly RoutedEdge[] = [];

const EdgePath = memo(function EdgePath({ route }: { route: RoutedEdge }) {
  const highlight = useEdgeHighlight(route.id);
  const d = useMemo(() => routePath(route.points), [route.points]);
  const aggregated = route.count > 1;
  return (
    <path
      d={d}
      className={`lineage-edge${highlight ? ` ${highlight}` : ""}${aggregated ? " aggregated" : ""}`}
      data-testid="lineage-edge"
      data-from={route.from}
      data-to={route.to}
      data-count={aggregated ? route.count : undefined}
      markerEnd={`url(#${ARROW_ID}${highlight ? `-${highlight}` : ""})`}
      style={aggregated ? { strokeWidth: Math.min(6, 1.5 + Math.log2(route.count)) } : undefined}
    >
      {aggregated && (
        <title>
          {route.count} dependencies from {route.from} to {route.to}
        </title>
      )}
    </path>
  );
});

const ARROW_ID = "lineage-arrow";

/** The arrowheads' markers, one per highlight state (a marker cannot take its path's colour). */
export function EdgeMarkers() {
  return (
    <svg className="lineage-markers" width="0" height="0" aria-hidden="true">
      <defs>
        {(["", "-lit", "-dimmed"] as const).map((suffix) => (
          <marker
            key={suffix}
            id={`${ARROW_ID}${suffix}`}
            className={`lineage-arrow${suffix}`}
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="10"
            markerHeight="10"
            markerUnits="userSpaceOnUse"
            orient="auto"
          >
            <path d="M 0 1 L 10 5 L 0 9 z" />
          </marker>
        ))}
      </defs>
    </svg>
  );
}
