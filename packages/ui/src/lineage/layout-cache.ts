/**
 * A cache of lineage layouts in `localStorage`, keyed by the graph's shape, so that a second
 * visit lays out nothing.
 *
 * The key is a hash (two FNV-1a 32-bit hashes with different offsets) of the node keys and
 * groups, the edges and the collapsed groups; statuses do not change it. Layouts are stored as
 * JSON of plain arrays (`PlainLayout`); an index lists the entries from the most recently used,
 * and the least recently used are evicted to stay under a size cap. The cache is an optimisation only: storage that is
 * missing, full or corrupt is ignored.
 */
import type { Layout, LayoutInput, Point, RoutedEdge, Size } from "./layout";

/** A layout as JSON-safe arrays (Maps do not survive JSON). */
export interface PlainLayout {
  readonly version: typeof CACHE_VERSION;
  /** [id, x, y, width, height] of every visible node. */
  readonly nodes: readonly (readonly [string, number, number, number, number])[];
  readonly groups: Layout["groups"];
  /** [index of from in nodes, index of to, count, x0, y0, x1, y1, …] */
  readonly edges: readonly (readonly number[])[];
  readonly width: number;
  readonly height: number;
}

/** The subset of `Storage` the cache uses. */
export type CacheStorage = Pick<Storage, "getItem" | "setItem" | "removeItem">;

const CACHE_VERSION = 1;
const PREFIX = `lignee.layout.v${CACHE_VERSION}.`;
const INDEX = `${PREFIX}index`;
/** Characters of layouts kept (localStorage holds about 5 million per origin). */
export const CACHE_CAP = 2_500_000;

/** Two FNV-1a 32-bit hashes (different offsets) fed string by string, with separators. */
class Fnv {
  private a = 0x811c9dc5;
  private b = 0x050c5d1f;
  private length = 0;

  add(text: string, separator: number): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x01000193);
    }
    this.a = Math.imul(a ^ separator, 0x01000193);
    this.b = Math.imul(b ^ separator, 0x01000193);
    this.length += text.length + 1;
  }

  digest(): string {
    const hex = (h: number) => (h >>> 0).toString(16).padStart(8, "0");
    return hex(this.a) + hex(this.b) + this.length.toString(36);
  }
}

/** The cache key of a layout input: only what the layout depends on (not statuses). */
export function layoutKey(input: LayoutInput): string {
  const hash = new Fnv();
  for (const n of input.nodes) {
    hash.add(n.key, 1);
    hash.add(n.group, 2);
  }
  for (const e of input.edges) {
    hash.add(e.from, 3);
    hash.add(e.to, 4);
  }
  for (const group of [...(input.collapsed ?? [])].sort()) hash.add(group, 5);
  return hash.digest();
}

export function toPlain(layout: Layout): PlainLayout {
  const index = new Map<string, number>();
  const nodes: [string, number, number, number, number][] = [];
  for (const [id, p] of layout.positions) {
    const size = layout.sizes.get(id)!;
    index.set(id, nodes.length);
    nodes.push([id, p.x, p.y, size.width, size.height]);
  }
  const edges = layout.edges.map((e) => {
    const row = [index.get(e.from)!, index.get(e.to)!, e.count];
    for (const p of e.points) row.push(p.x, p.y);
    return row;
  });
  return {
    version: CACHE_VERSION,
    nodes,
    groups: layout.groups,
    edges,
    width: layout.width,
    height: layout.height,
  };
}

export function fromPlain(plain: PlainLayout): Layout {
  const positions = new Map<string, Point>();
  const sizes = new Map<string, Size>();
  for (const [id, x, y, width, height] of plain.nodes) {
    positions.set(id, { x, y });
    sizes.set(id, { width, height });
  }
  const edges: RoutedEdge[] = plain.edges.map((row) => {
    const from = plain.nodes[row[0]!]![0];
    const to = plain.nodes[row[1]!]![0];
    const points: Point[] = [];
    for (let i = 3; i < row.length; i += 2) points.push({ x: row[i]!, y: row[i + 1]! });
    return { id: `${from}->${to}`, from, to, points, count: row[2]! };
  });
  return {
    positions,
    sizes,
    groups: plain.groups,
    edges,
    width: plain.width,
    height: plain.height,
  };
}

/** The browser's localStorage, or undefined where there is none (Node) or it is blocked. */
export function defaultStorage(): CacheStorage | undefined {
  try {
    return typeof localStorage === "undefined" ? undefined : localStorage;
  } catch {
    return undefined;
  }
}

/** Entries, most recently used first. */
type Index = [key: string, size: number][];

function readIndex(storage: CacheStorage): Index {
  try {
    const index: unknown = JSON.parse(storage.getItem(INDEX) ?? "[]");
    return Array.isArray(index) ? (index as Index) : [];
  } catch {
    return [];
  }
}

function writeIndex(storage: CacheStorage, index: Index): void {
  storage.setItem(INDEX, JSON.stringify(index));
}

/** The cached layout of `key`, or undefined (never cached, evicted, corrupt or unreadable). */
export function readCachedLayout(
  key: string,
  storage: CacheStorage | undefined = defaultStorage(),
): Layout | undefined {
  if (!storage) return undefined;
  try {
    const json = storage.getItem(PREFIX + key);
    if (json === null) return undefined;
    const plain = JSON.parse(json) as PlainLayout;
    if (plain.version !== CACHE_VERSION) return undefined;
    const index = readIndex(storage);
    const at = index.findIndex((e) => e[0] === key);
    if (at > 0) {
      index.unshift(...index.splice(at, 1));
      writeIndex(storage, index);
    }
    return fromPlain(plain);
  } catch {
    return undefined;
  }
}

/**
 * Stores the JSON of a `PlainLayout` under `key`, evicting the least recently used entries to
 * stay under `cap` characters. Failures (quota, blocked storage) are ignored.
 */
export function writeCachedLayout(
  key: string,
  json: string,
  storage: CacheStorage | undefined = defaultStorage(),
  cap: number = CACHE_CAP,
): void {
  if (!storage || json.length > cap) return;
  try {
    const index = readIndex(storage).filter((e) => e[0] !== key);
    let total = json.length;
    const kept: Index = [[key, json.length]];
    for (const entry of index) {
      if (typeof entry[1] === "number" && total + entry[1] <= cap) {
        kept.push(entry);
        total += entry[1];
      } else storage.removeItem(PREFIX + entry[0]);
    }
    writeIndex(storage, kept);
    try {
      storage.setItem(PREFIX + key, json);
    } catch {
      // Full for other reasons (other data of the origin): make room once, then give up.
      for (const entry of kept.splice(1)) storage.removeItem(PREFIX + entry[0]);
      writeIndex(storage, kept);
      storage.setItem(PREFIX + key, json);
    }
  } catch {
    // The cache is an optimisation: a layout that cannot be stored is laid out next time.
    try {
      storage.removeItem(PREFIX + key);
    } catch {
      // Ignored as well.
    }
  }
}
