/**
 * Layered layout of the asset graph, grouped by asset group, with routed edges, in near-linear
 * time.
 *
 * Exported for the lineage page:
 * - `layoutGraph(input: LayoutInput): Layout` — pure, synchronous (also run by the worker);
 * - `LayoutInput` `{ nodes: {key, group}[]; edges: {from, to}[]; collapsed?: ReadonlySet<string> }`;
 * - `Layout` `{ positions; sizes; groups: GroupBox[]; edges: RoutedEdge[]; width; height }`:
 *   `positions`/`sizes` give every visible node (an asset key, or `groupNodeId(name)` =
 *   `group:<name>` for a collapsed group) its top-left corner and its size;
 * - `RoutedEdge` `{ id; from; to; points; count }`: one per visible (from, to) pair, `count` asset
 *   edges aggregated; `id` is `${from}->${to}`;
 * - `routePath(points): string` — the SVG path to draw for a route (what the tests check);
 * - `NODE_WIDTH`, `NODE_HEIGHT`, `GROUP_NODE_WIDTH`, `GROUP_NODE_HEIGHT`, `groupNodeId`.
 * `useLayout(input)` (use-layout.ts) runs this off the main thread and caches the result.
 *
 * General-purpose layered layouts (dagre, ELK) minimise crossings with global heuristics whose
 * cost grows much faster than the graph: on a 2,000-asset graph they took 76 s (dagre) and
 * 1.3 to 7 s (ELK) here, too slow for a page that must be interactive in under 2 s. Asset graphs
 * are DAGs with a natural left-to-right flow, so this layout keeps to the classic layered steps
 * with cheap choices:
 *
 * 1. collapsed groups become one node each; edges are aggregated per visible pair;
 * 2. rank = longest path from a source (columns, left to right); collapsing can close a cycle
 *    (a → group → b with b upstream of a), whose back edges, found by one depth-first walk, are
 *    left out of the ranking and routed backwards;
 * 3. each group is a lane: a box spanning its assets' columns; lanes whose columns do not
 *    overlap share a shelf, shelves stack vertically, with a band of horizontal tracks between
 *    shelves;
 * 4. an edge inside a lane that spans several columns gets a dummy slot in every column it
 *    crosses; other long edges (between lanes, or backwards) get a track in a band;
 * 5. inside a lane, each column (nodes and slots) is ordered by the barycentre of the
 *    neighbours' positions, in alternating sweeps (forward on parents, backward on children).
 *
 * When every group is collapsed (the overview of a large graph) and the groups take more columns
 * than fit a screen, they are wrapped into a grid instead of one long row: in the order of their
 * columns (then of first appearance), `overviewColumns(n)` per row, each row a shelf. An edge to
 * the next column runs down or up the gap between the two columns (no box sits in a gap); the
 * others run in a band between rows, backwards when the target's column is not after the
 * source's.
 *
 * Routes only turn in the gaps between columns (boxes sit in columns only) and cross a column
 * horizontally at a slot or in a band, so no route goes through a box.
 */
import { routeEdges, type Placement, type RouteRequest } from "./route-edges";

export { routePath } from "./route-edges";

export interface LayoutInput {
  readonly nodes: readonly { readonly key: string; readonly group: string }[];
  readonly edges: readonly { readonly from: string; readonly to: string }[];
  /** Groups drawn as one node `group:<name>` instead of a lane of assets. */
  readonly collapsed?: ReadonlySet<string>;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

export interface GroupBox {
  readonly group: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface RoutedEdge {
  /** `${from}->${to}` */
  readonly id: string;
  /** Visible node ids: asset keys or `group:<name>`. */
  readonly from: string;
  readonly to: string;
  /**
   * From the middle of the source's right side to the middle of the target's left side, with
   * where the route enters and leaves each column it crosses; draw with `routePath`.
   */
  readonly points: readonly Point[];
  /** How many asset edges this edge stands for (more than 1 only with collapsed groups). */
  readonly count: number;
}

export interface Layout {
  /** Top-left corner of every visible node (asset key or `group:<name>`). */
  readonly positions: ReadonlyMap<string, Point>;
  readonly sizes: ReadonlyMap<string, Size>;
  /** Lane boxes of the expanded groups. */
  readonly groups: readonly GroupBox[];
  readonly edges: readonly RoutedEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_WIDTH = 230;
export const NODE_HEIGHT = 62;
/** A collapsed group's node: as wide as an asset (columns stay aligned), a little taller. */
export const GROUP_NODE_WIDTH = NODE_WIDTH;
export const GROUP_NODE_HEIGHT = 72;
export const COLUMN_GAP = 90;
const ROW_GAP = 14;
const LANE_HEADER = 30;
const LANE_PADDING = 14;
const SHELF_GAP = 40;
/** Vertical room of a dummy slot (including the gap after it); the route runs in its middle. */
const SLOT_PITCH = 20;
const BAND_PADDING = 14;
const TRACK_GAP = 6;
/** The overview's bands hold most pairs of groups: their faint tracks sit closer. */
const OVERVIEW_TRACK_GAP = 3;
const SWEEPS = 4;
/** Width / height the overview grid aims for (a landscape window). */
const OVERVIEW_ASPECT = 1;

const COLUMN = NODE_WIDTH + COLUMN_GAP;

/** The id of a collapsed group's node. */
export function groupNodeId(group: string): string {
  return `group:${group}`;
}

/** Left edge of a column. */
export function columnX(rank: number): number {
  return LANE_PADDING + rank * COLUMN;
}

interface Lane {
  readonly group: string;
  readonly order: number;
  readonly collapsed: boolean;
  /** The overview grid's row it sits in (undefined outside the overview grid). */
  readonly row: number | undefined;
  minRank: number;
  maxRank: number;
  /** Column rank → the lane's items (nodes and dummy slots) in that column, in display order. */
  readonly columns: Map<number, number[]>;
  height: number;
  top: number;
  shelf: number;
}

/** The graph with collapsed groups folded into one node, edges aggregated per visible pair. */
interface VisibleGraph {
  readonly ids: string[];
  readonly groups: string[];
  readonly heights: number[];
  readonly collapsed: boolean[];
  readonly edges: { from: number; to: number; count: number }[];
  /** Asset (in input order, without duplicates) → its visible node. */
  readonly visibleOf: number[];
  /** Asset edges, as asset indices. */
  readonly assetEdges: { from: number; to: number }[];
}

function visibleGraph(input: LayoutInput): VisibleGraph {
  const collapsedGroups = input.collapsed ?? new Set<string>();
  const g: VisibleGraph = {
    ids: [],
    groups: [],
    heights: [],
    collapsed: [],
    edges: [],
    visibleOf: [],
    assetEdges: [],
  };
  const index = new Map<string, number>();
  const byKey = new Map<string, number>();
  for (const n of input.nodes) {
    if (byKey.has(n.key)) continue;
    const folded = collapsedGroups.has(n.group);
    const id = folded ? groupNodeId(n.group) : n.key;
    let i = index.get(id);
    if (i === undefined) {
      i = g.ids.length;
      index.set(id, i);
      g.ids.push(id);
      g.groups.push(n.group);
      g.heights.push(folded ? GROUP_NODE_HEIGHT : NODE_HEIGHT);
      g.collapsed.push(folded);
    }
    byKey.set(n.key, g.visibleOf.length);
    g.visibleOf.push(i);
  }
  const pairs = new Map<number, { from: number; to: number; count: number }>();
  const n = g.ids.length;
  for (const e of input.edges) {
    const fromAsset = byKey.get(e.from);
    const toAsset = byKey.get(e.to);
    if (fromAsset === undefined || toAsset === undefined || fromAsset === toAsset) continue;
    g.assetEdges.push({ from: fromAsset, to: toAsset });
    const from = g.visibleOf[fromAsset]!;
    const to = g.visibleOf[toAsset]!;
    if (from === to) continue;
    const pair = from * n + to;
    const existing = pairs.get(pair);
    if (existing) existing.count++;
    else {
      const edge = { from, to, count: 1 };
      pairs.set(pair, edge);
      g.edges.push(edge);
    }
  }
  return g;
}

export function layoutGraph(input: LayoutInput): Layout {
  const g = visibleGraph(input);
  const n = g.ids.length;
  const back = feedbackEdges(g);
  const ranked = longestPathRanks(
    n,
    g.edges.filter((_, i) => !back[i]),
  );
  const grid = overviewGrid(g, ranked);
  const rank = grid?.column ?? ranked;

  // Lanes, in order of first appearance (the API lists assets topologically).
  const lanes = new Map<string, Lane>();
  const laneOf: Lane[] = [];
  for (let i = 0; i < n; i++) {
    const group = g.groups[i]!;
    let lane = lanes.get(group);
    if (!lane) {
      lane = {
        group,
        order: lanes.size,
        collapsed: g.collapsed[i]!,
        row: grid?.row[i],
        minRank: Infinity,
        maxRank: -Infinity,
        columns: new Map(),
        height: 0,
        top: 0,
        shelf: 0,
      };
      lanes.set(group, lane);
    }
    addToColumn(lane, rank[i]!, i);
    laneOf.push(lane);
  }

  // Long edges inside a lane get a dummy slot per crossed column; the rest are routed in bands.
  const heights = [...g.heights];
  const up: number[][] = Array.from({ length: n }, () => []);
  const down: number[][] = Array.from({ length: n }, () => []);
  const requests: RouteRequest[] = [];
  g.edges.forEach((e, i) => {
    const lane = laneOf[e.from]!;
    const span = rank[e.to]! - rank[e.from]!;
    // In the overview grid a target can sit in the source's column or before it (next rows).
    const banded = back[i]! || (span !== 1 && lane !== laneOf[e.to]);
    // Which band and track is decided once the shelves are known (`assignTracks`).
    const request: RouteRequest = { from: e.from, to: e.to, slots: [], band: -1, track: -1 };
    if (banded) request.band = 0;
    requests.push(request);
    if (back[i] || span < 1) return;
    let previous = e.from;
    if (span > 1 && !banded) {
      for (let r = rank[e.from]! + 1; r < rank[e.to]!; r++) {
        const slot = heights.length;
        heights.push(-SLOT_PITCH);
        up.push([previous]);
        down.push([]);
        down[previous]!.push(slot);
        addToColumn(lane, r, slot);
        request.slots.push(slot);
        previous = slot;
      }
    }
    up[e.to]!.push(previous);
    down[previous]!.push(e.to);
  });
  for (const lane of lanes.values()) {
    let tallest = 0;
    for (const column of lane.columns.values())
      tallest = Math.max(tallest, columnHeight(column, heights));
    lane.height = tallest - ROW_GAP + (lane.collapsed ? 0 : LANE_HEADER + LANE_PADDING * 2);
  }

  const shelves = grid ? gridShelves([...lanes.values()]) : packShelves([...lanes.values()]);
  const bandTracks = assignTracks(requests, rank, laneOf, shelves.length);

  // Bands above each shelf (and one below the last), then the shelves.
  const trackGap = grid ? OVERVIEW_TRACK_GAP : TRACK_GAP;
  const bandTop: number[] = [];
  let top = 0;
  for (let s = 0; s <= shelves.length; s++) {
    bandTop.push(top);
    const tracks = bandTracks[s]!;
    const inner = s > 0 && s < shelves.length;
    const band = tracks > 0 ? BAND_PADDING * 2 + (tracks - 1) * trackGap : 0;
    top += inner ? Math.max(SHELF_GAP, band) : band;
    if (s < shelves.length) {
      for (const lane of shelves[s]!.lanes) lane.top = top;
      top += shelves[s]!.height;
    }
  }

  // Crossing reduction: alternate sweeps ordering each lane column by neighbours' barycentre.
  const y = new Float64Array(heights.length);
  const columns: { lane: Lane; rank: number; items: number[] }[] = [];
  for (const lane of lanes.values()) {
    for (const [r, items] of lane.columns) {
      columns.push({ lane, rank: r, items });
      placeColumn(lane, items, heights, y);
    }
  }
  columns.sort((a, b) => a.rank - b.rank || a.lane.order - b.lane.order);
  const weight = new Float64Array(heights.length);
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    const neighbours = forward ? up : down;
    for (let c = 0; c < columns.length; c++) {
      const column = columns[forward ? c : columns.length - 1 - c]!;
      sortByBarycentre(column.items, neighbours, y, weight);
      placeColumn(column.lane, column.items, heights, y);
    }
  }

  const positions = new Map<string, Point>();
  const sizes = new Map<string, Size>();
  let maxRank = 0;
  for (let i = 0; i < n; i++) {
    maxRank = Math.max(maxRank, rank[i]!);
    positions.set(g.ids[i]!, { x: columnX(rank[i]!), y: y[i]! });
    sizes.set(g.ids[i]!, {
      width: g.collapsed[i] ? GROUP_NODE_WIDTH : NODE_WIDTH,
      height: g.heights[i]!,
    });
  }
  const placement: Placement = {
    rank,
    y,
    heights,
    slotOffset: (SLOT_PITCH - ROW_GAP) / 2,
    columnX,
    width: NODE_WIDTH,
    // Track 0 is the lowest of its band, nearest the shelf below.
    trackY: (band, track) =>
      bandTop[band]! + BAND_PADDING + (bandTracks[band]! - 1 - track) * trackGap,
  };
  const routes = routeEdges(requests, placement);
  const edges: RoutedEdge[] = requests.map((r, i) => {
    const from = g.ids[r.from]!;
    const to = g.ids[r.to]!;
    return { id: `${from}->${to}`, from, to, points: routes[i]!, count: g.edges[i]!.count };
  });
  const groups: GroupBox[] = [...lanes.values()]
    .filter((lane) => !lane.collapsed)
    .map((lane) => ({
      group: lane.group,
      x: lane.minRank * COLUMN,
      y: lane.top,
      width: (lane.maxRank - lane.minRank) * COLUMN + NODE_WIDTH + LANE_PADDING * 2,
      height: lane.height,
    }));
  return {
    positions,
    sizes,
    groups,
    edges,
    width: n === 0 ? 0 : maxRank * COLUMN + NODE_WIDTH + LANE_PADDING * 2,
    height: top,
  };
}

/** How many groups a row of the overview grid holds, for `count` groups. */
export function overviewColumns(count: number): number {
  return Math.max(3, Math.ceil(Math.sqrt(count * OVERVIEW_ASPECT)));
}

/**
 * The overview grid when every visible node is a collapsed group and their columns are more than
 * `overviewColumns`: column and row of each node, wrapping the order of their ranks.
 */
function overviewGrid(
  g: VisibleGraph,
  rank: readonly number[],
): { column: number[]; row: number[] } | undefined {
  const n = g.ids.length;
  if (n === 0 || !g.collapsed.every(Boolean)) return undefined;
  const perRow = overviewColumns(n);
  if (Math.max(...rank) + 1 <= perRow) return undefined;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => rank[a]! - rank[b]! || a - b);
  const column = new Array<number>(n);
  const row = new Array<number>(n);
  order.forEach((node, k) => {
    column[node] = k % perRow;
    row[node] = Math.floor(k / perRow);
  });
  return { column, row };
}

/** The overview grid's rows as shelves. */
function gridShelves(lanes: Lane[]): Shelf[] {
  const shelves: Shelf[] = [];
  for (const lane of [...lanes].sort((a, b) => a.row! - b.row! || a.minRank - b.minRank)) {
    while (shelves.length <= lane.row!) shelves.push({ lanes: [], height: 0 });
    const shelf = shelves[lane.row!]!;
    shelf.lanes.push(lane);
    shelf.height = Math.max(shelf.height, lane.height);
    lane.shelf = lane.row!;
  }
  return shelves;
}

function addToColumn(lane: Lane, rank: number, item: number): void {
  lane.minRank = Math.min(lane.minRank, rank);
  lane.maxRank = Math.max(lane.maxRank, rank);
  const column = lane.columns.get(rank);
  if (column) column.push(item);
  else lane.columns.set(rank, [item]);
}

/** Item heights are positive for nodes, `-SLOT_PITCH` for dummy slots. */
function pitch(height: number): number {
  return height < 0 ? -height : height + ROW_GAP;
}

function columnHeight(items: readonly number[], heights: readonly number[]): number {
  let total = 0;
  for (const item of items) total += pitch(heights[item]!);
  return total;
}

function placeColumn(
  lane: Lane,
  items: readonly number[],
  heights: readonly number[],
  y: Float64Array,
): void {
  let cursor = lane.top + (lane.collapsed ? 0 : LANE_HEADER + LANE_PADDING);
  for (const item of items) {
    y[item] = cursor;
    cursor += pitch(heights[item]!);
  }
}

interface Shelf {
  readonly lanes: Lane[];
  height: number;
}

/** First fit of lanes (earliest columns first) onto shelves where their columns are free. */
function packShelves(lanes: Lane[]): Shelf[] {
  const shelves: Shelf[] = [];
  const byStart = [...lanes].sort((a, b) => a.minRank - b.minRank || a.order - b.order);
  for (const lane of byStart) {
    let s = shelves.findIndex((shelf) => shelf.lanes.every((l) => l.maxRank < lane.minRank));
    if (s < 0) {
      s = shelves.length;
      shelves.push({ lanes: [], height: 0 });
    }
    const shelf = shelves[s]!;
    shelf.lanes.push(lane);
    shelf.height = Math.max(shelf.height, lane.height);
    lane.shelf = s;
  }
  return shelves;
}

/**
 * Gives every banded route a band (above the lower of its two shelves) and a track in it, so that
 * two routes in a band never share a track over the same columns.
 * Returns the number of tracks of each band.
 */
function assignTracks(
  requests: RouteRequest[],
  rank: readonly number[],
  laneOf: readonly Lane[],
  shelves: number,
): number[] {
  const tracks: number[] = new Array<number>(shelves + 1).fill(0);
  const intervals: { request: RouteRequest; lo: number; hi: number }[] = [];
  for (const request of requests) {
    if (request.band < 0) continue;
    request.band = Math.max(laneOf[request.from]!.shelf, laneOf[request.to]!.shelf);
    // In half columns: 2r is column r, 2r+1 the gap after it.
    const a = 2 * rank[request.from]! + 1;
    const b = 2 * rank[request.to]! - 1;
    intervals.push({ request, lo: Math.min(a, b), hi: Math.max(a, b) });
  }
  // Shortest first, each on the first track free over its columns: the routes of a band nest
  // (short ones nearest the shelf below, see `trackY`) instead of crossing each other.
  intervals.sort((a, b) => a.hi - a.lo - (b.hi - b.lo) || a.lo - b.lo);
  const width = intervals.reduce((w, i) => Math.max(w, i.hi + 1), 0);
  const used: Uint8Array[][] = Array.from({ length: shelves + 1 }, () => []);
  for (const { request, lo, hi } of intervals) {
    const band = used[request.band]!;
    let track = band.findIndex((cells) => {
      for (let c = lo; c <= hi; c++) if (cells[c]) return false;
      return true;
    });
    if (track < 0) track = band.push(new Uint8Array(width)) - 1;
    band[track]!.fill(1, lo, hi + 1);
    request.track = track;
    tracks[request.band] = band.length;
  }
  return tracks;
}

/**
 * Edges left out of the ranking so that the rest is acyclic: none for a valid asset graph without
 * collapsed groups. When collapsed groups close cycles, the visible nodes are ordered by where
 * their assets sit in the full graph (a group by its median asset's column) and the edges going
 * against that order are left out: the layout keeps the shape of the expanded graph instead of
 * stretching it along chains through the groups.
 */
function feedbackEdges(g: VisibleGraph): boolean[] {
  const n = g.ids.length;
  const back = backEdges(n, g.edges);
  if (!back.includes(true)) return back;
  const assets = g.visibleOf.length;
  const assetBack = backEdges(assets, g.assetEdges);
  const assetRank = longestPathRanks(
    assets,
    g.assetEdges.filter((_, i) => !assetBack[i]),
  );
  const members: number[][] = Array.from({ length: n }, () => []);
  g.visibleOf.forEach((v, asset) => members[v]!.push(assetRank[asset]!));
  const key = members.map((ranks) => {
    ranks.sort((a, b) => a - b);
    return ranks[(ranks.length - 1) >> 1]!;
  });
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b);
  const position = new Array<number>(n);
  order.forEach((node, i) => (position[node] = i));
  return g.edges.map((e) => position[e.from]! > position[e.to]!);
}

/**
 * Back edges of one depth-first walk (in input order): without them the graph is acyclic. A valid
 * asset graph has none; a collapsed group can close a cycle.
 */
function backEdges(n: number, edges: readonly { from: number; to: number }[]): boolean[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  edges.forEach((e, i) => out[e.from]!.push(i));
  const back = new Array<boolean>(edges.length).fill(false);
  const state = new Uint8Array(n); // 0 new, 1 on the stack, 2 done
  const stack: number[] = [];
  const next: number[] = [];
  for (let root = 0; root < n; root++) {
    if (state[root]) continue;
    state[root] = 1;
    stack.push(root);
    next.push(0);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top]!;
      const k = next[top]!;
      if (k === out[node]!.length) {
        state[node] = 2;
        stack.pop();
        next.pop();
        continue;
      }
      next[top] = k + 1;
      const edge = out[node]![k]!;
      const to = edges[edge]!.to;
      if (state[to] === 1) back[edge] = true;
      else if (state[to] === 0) {
        state[to] = 1;
        stack.push(to);
        next.push(0);
      }
    }
  }
  return back;
}

/** Longest path from a source over acyclic edges. */
function longestPathRanks(n: number, edges: readonly { from: number; to: number }[]): number[] {
  const out: number[][] = Array.from({ length: n }, () => []);
  const remaining = new Array<number>(n).fill(0);
  for (const e of edges) {
    out[e.from]!.push(e.to);
    remaining[e.to]!++;
  }
  const rank = new Array<number>(n).fill(0);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (remaining[i] === 0) queue.push(i);
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q]!;
    for (const child of out[node]!) {
      rank[child] = Math.max(rank[child]!, rank[node]! + 1);
      if (--remaining[child]! === 0) queue.push(child);
    }
  }
  return rank;
}

/** Stable sort by the mean y of the neighbours; items without neighbours keep their place. */
function sortByBarycentre(
  items: number[],
  neighbours: readonly (readonly number[])[],
  y: Float64Array,
  weight: Float64Array,
): void {
  for (const item of items) {
    const list = neighbours[item]!;
    let sum = 0;
    for (const other of list) sum += y[other]!;
    weight[item] = list.length ? sum / list.length : y[item]!;
  }
  items.sort((a, b) => weight[a]! - weight[b]!);
}
