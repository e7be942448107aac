/**
 * Edge routes of the lineage layout and the SVG path drawn for them.
 *
 * A route is a list of points: the middle of the source's right side, where it enters and leaves
 * every column it crosses (at a dummy slot of its lane, or on a track of a band between shelves),
 * and the middle of the target's left side. Between two columns the route is a cubic with
 * horizontal tangents whose control points sit at the gap's middle, so it never leaves the gap;
 * through a column it is a horizontal line. A backward edge (only when a collapsed group closes
 * a cycle) turns around in the gap after its source and in the gap before its target: two points
 * one above the other are joined by a U-turn bulging into the gap.
 */

export interface RoutePoint {
  readonly x: number;
  readonly y: number;
}

/** One edge to route; `band`/`track` are set when it runs in a band between shelves. */
export interface RouteRequest {
  readonly from: number;
  readonly to: number;
  /** Dummy slot items, one per crossed column, left to right. */
  readonly slots: number[];
  /** The band between shelves it runs in (-1: through its lane's slots, or straight across a gap). */
  band: number;
  /** Its track in that band. */
  track: number;
}

export interface Placement {
  readonly rank: readonly number[];
  /** Top of every item (nodes, then dummy slots). */
  readonly y: Float64Array;
  /** Height of every node (slots: negative). */
  readonly heights: readonly number[];
  /** From a slot's top to where its route runs. */
  readonly slotOffset: number;
  readonly columnX: (rank: number) => number;
  readonly width: number;
  readonly trackY: (band: number, track: number) => number;
}

/** How far a U-turn's control points reach into the gap (the curve reaches 3/4 of it). */
const U_TURN = 40;

export function routeEdges(requests: readonly RouteRequest[], p: Placement): RoutePoint[][] {
  return requests.map((r) => route(r, p));
}

function route(r: RouteRequest, p: Placement): RoutePoint[] {
  const from = p.rank[r.from]!;
  const to = p.rank[r.to]!;
  const left = (rank: number) => p.columnX(rank);
  const right = (rank: number) => p.columnX(rank) + p.width;
  const points: RoutePoint[] = [{ x: right(from), y: p.y[r.from]! + p.heights[r.from]! / 2 }];
  const cross = (rank: number, y: number, backwards = false) => {
    const [a, b] = backwards ? [right(rank), left(rank)] : [left(rank), right(rank)];
    points.push({ x: a, y }, { x: b, y });
  };
  if (r.band < 0) {
    r.slots.forEach((slot, i) => cross(from + 1 + i, p.y[slot]! + p.slotOffset));
  } else if (from < to) {
    const y = p.trackY(r.band, r.track);
    for (let rank = from + 1; rank < to; rank++) cross(rank, y);
  } else {
    const y = p.trackY(r.band, r.track);
    // Turns around in the gap after the source, runs back, turns in the gap before the target.
    for (let rank = from; rank >= to; rank--) cross(rank, y, true);
  }
  points.push({ x: left(to), y: p.y[r.to]! + p.heights[r.to]! / 2 });
  return points;
}

export interface Cubic {
  readonly from: RoutePoint;
  readonly c1: RoutePoint;
  readonly c2: RoutePoint;
  readonly to: RoutePoint;
}

/** The cubic segments drawn for a route (a straight segment is a cubic with aligned controls). */
export function routeSegments(points: readonly RoutePoint[]): Cubic[] {
  const segments: Cubic[] = [];
  let direction = 1;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!;
    const b = points[i]!;
    if (a.x === b.x) {
      // A U-turn, bulging the way the route was going (out of the source: rightwards).
      const bulge = a.x + direction * U_TURN;
      segments.push({ from: a, c1: { x: bulge, y: a.y }, c2: { x: bulge, y: b.y }, to: b });
      direction = -direction;
    } else {
      const mid = (a.x + b.x) / 2;
      segments.push({ from: a, c1: { x: mid, y: a.y }, c2: { x: mid, y: b.y }, to: b });
      direction = Math.sign(b.x - a.x);
    }
  }
  return segments;
}

const format = (v: number) => String(Math.round(v * 100) / 100);

/** The SVG path of a route: horizontal lines through columns, cubics in the gaps. */
export function routePath(points: readonly RoutePoint[]): string {
  if (points.length === 0) return "";
  const first = points[0]!;
  let path = `M ${format(first.x)} ${format(first.y)}`;
  for (const s of routeSegments(points)) {
    if (s.from.y === s.to.y && s.from.x !== s.to.x)
      path += ` L ${format(s.to.x)} ${format(s.to.y)}`;
    else
      path +=
        ` C ${format(s.c1.x)} ${format(s.c1.y)} ${format(s.c2.x)} ${format(s.c2.y)}` +
        ` ${format(s.to.x)} ${format(s.to.y)}`;
  }
  return path;
}
