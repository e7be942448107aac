import { Position, type Node, type NodeHandle } from "@xyflow/react";
import type { AssetNode } from "../api/types";
import type { AssetFlowNode, LaneFlowNode } from "./AssetNodeView";
import type { GroupCounts, GroupFlowNode } from "./GroupNodeView";
import { groupNodeId, type Layout } from "./layout";
import type { SidebarGroup } from "./LineageSidebar";
import type { RoutedFlowEdge } from "./RoutedEdge";

/** Each group's assets and their counts by status, in the order of the groups. */
export function groupSummaries(
  assets: readonly AssetNode[],
  groupNames: readonly string[],
): SidebarGroup[] {
  const byGroup = new Map<
    string,
    { assets: AssetNode[]; counts: Record<string, number>; overdue: number }
  >();
  for (const name of groupNames) byGroup.set(name, { assets: [], counts: {}, overdue: 0 });
  for (const n of assets) {
    const g = byGroup.get(n.group);
    if (!g) continue;
    g.assets.push(n);
    g.counts[n.status] = (g.counts[n.status] ?? 0) + 1;
    if (n.freshness?.state === "overdue") g.overdue++;
  }
  return [...byGroup].map(([group, g]) => ({
    group,
    assets: g.assets,
    counts: g.counts as GroupCounts,
    overdue: g.overdue,
  }));
}

/** One React Flow edge per routed edge, drawn by `RoutedEdgeView`. */
export function flowEdges(layout: Layout): RoutedFlowEdge[] {
  return layout.edges.map((route) => ({
    id: route.id,
    type: "routed",
    source: route.from,
    target: route.to,
    data: { route },
    focusable: false,
    selectable: false,
  }));
}

/**
 * A node's size and handles as the layout gave them, so that React Flow need not render and
 * measure every node once (it does for nodes it knows no handles of, visible or not: after
 * "Expand all", all 2,000 assets) before it draws the visible ones.
 */
function known(width: number, height: number, handles: boolean) {
  return {
    width,
    height,
    measured: { width, height },
    handles: handles
      ? ([
          { type: "target", position: Position.Left, x: 0, y: height / 2, width: 1, height: 1 },
          {
            type: "source",
            position: Position.Right,
            x: width,
            y: height / 2,
            width: 1,
            height: 1,
          },
        ] satisfies NodeHandle[])
      : [],
  };
}

/**
 * The flow's nodes for a layout: lanes of the expanded groups, collapsed groups, then the assets
 * that are drawn. Status polls give new asset objects only for assets that changed (react-query
 * keeps the others), so unchanged nodes keep their identity (and selection) and do not
 * re-render.
 */
export function flowNodes(
  previous: readonly Node[],
  layout: Layout,
  assets: readonly AssetNode[],
  groups: readonly SidebarGroup[],
): Node[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  const sizeOf = new Map(groups.map((g) => [g.group, g.assets.length]));
  const lanes: LaneFlowNode[] = layout.groups.map((g) => {
    const id = `lane:${g.group}`;
    const old = before.get(id) as LaneFlowNode | undefined;
    const count = sizeOf.get(g.group) ?? 0;
    if (
      old &&
      old.position.x === g.x &&
      old.position.y === g.y &&
      old.width === g.width &&
      old.height === g.height &&
      old.data.count === count
    )
      return old;
    return {
      id,
      type: "lane",
      position: { x: g.x, y: g.y },
      data: { group: g.group, count },
      style: { width: g.width, height: g.height },
      ...known(g.width, g.height, false),
      selectable: false,
      draggable: false,
      focusable: false,
      zIndex: -1,
    };
  });
  const folded: GroupFlowNode[] = [];
  for (const g of groups) {
    const id = groupNodeId(g.group);
    const position = layout.positions.get(id);
    if (!position) continue;
    const old = before.get(id) as GroupFlowNode | undefined;
    if (old && old.data.counts === g.counts && old.position === position) {
      folded.push(old);
      continue;
    }
    const size = layout.sizes.get(id)!;
    folded.push({
      id,
      type: "group",
      position,
      data: { group: g.group, count: g.assets.length, counts: g.counts, overdue: g.overdue },
      ...known(size.width, size.height, true),
      style: { width: size.width, height: size.height },
      selectable: false,
      draggable: false,
    });
  }
  const drawn: AssetFlowNode[] = [];
  for (const asset of assets) {
    const position = layout.positions.get(asset.key);
    if (!position) continue;
    const old = before.get(asset.key) as AssetFlowNode | undefined;
    if (old && old.data.asset === asset && old.position === position) {
      drawn.push(old);
      continue;
    }
    const size = layout.sizes.get(asset.key)!;
    drawn.push({
      id: asset.key,
      type: "asset",
      position,
      data: { asset },
      ...known(size.width, size.height, true),
      selected: old?.selected ?? false,
      draggable: false,
    });
  }
  return [...lanes, ...folded, ...drawn];
}
