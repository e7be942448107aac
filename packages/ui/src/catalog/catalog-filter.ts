import { ASSET_STATUSES, type AssetNode, type AssetStatus } from "../api/types";

/**
 * The catalog's filters and order, kept in the URL query (`?q=offres&group=collecte&kind=dbt
 * &status=STALE&tag=source%3Dinsee&sort=lastMaterialized&order=desc`) so that a filtered
 * catalog can be linked to. Pure: tested without a browser.
 */
export type AssetKind = AssetNode["kind"];
export const ASSET_KINDS: readonly AssetKind[] = ["dbt", "typescript"];

export const SORT_KEYS = [
  "key",
  "group",
  "kind",
  "partitions",
  "status",
  "freshness",
  "lastMaterialized",
  "checks",
] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Against the freshness policy: `overdue`, `on-time`, or `none` (no policy). */
export const FRESHNESS_CHOICES = ["overdue", "on-time", "none"] as const;
export type FreshnessChoice = (typeof FRESHNESS_CHOICES)[number];

export interface CatalogFilter {
  /** Words that must all appear in the key (case-insensitive). */
  readonly text: string;
  readonly group: string | undefined;
  readonly kind: AssetKind | undefined;
  readonly status: AssetStatus | undefined;
  /** `name=value`. */
  readonly tag: string | undefined;
  readonly freshness: FreshnessChoice | undefined;
  readonly sort: SortKey;
  readonly descending: boolean;
}

export function readCatalogFilter(query: URLSearchParams): CatalogFilter {
  return {
    text: query.get("q") ?? "",
    group: query.get("group") || undefined,
    kind: ASSET_KINDS.find((k) => k === query.get("kind")),
    status: ASSET_STATUSES.find((s) => s === query.get("status")),
    tag: query.get("tag") || undefined,
    freshness: FRESHNESS_CHOICES.find((f) => f === query.get("freshness")),
    sort: SORT_KEYS.find((k) => k === query.get("sort")) ?? "key",
    descending: query.get("order") === "desc",
  };
}

/** The query string of a filter (without `?`), defaults left out. */
export function writeCatalogFilter(filter: CatalogFilter): string {
  const query = new URLSearchParams();
  if (filter.text) query.set("q", filter.text);
  if (filter.group) query.set("group", filter.group);
  if (filter.kind) query.set("kind", filter.kind);
  if (filter.status) query.set("status", filter.status);
  if (filter.tag) query.set("tag", filter.tag);
  if (filter.freshness) query.set("freshness", filter.freshness);
  if (filter.sort !== "key") query.set("sort", filter.sort);
  if (filter.descending) query.set("order", "desc");
  return query.toString();
}

export function tagText(name: string, value: string): string {
  return `${name}=${value}`;
}

/** Every `name=value` tag of the assets, sorted. */
export function tagsOf(nodes: readonly AssetNode[]): string[] {
  const tags = new Set<string>();
  for (const node of nodes) {
    for (const [name, value] of Object.entries(node.tags)) tags.add(tagText(name, value));
  }
  return [...tags].sort();
}

export function groupsOf(nodes: readonly AssetNode[]): string[] {
  return [...new Set(nodes.map((n) => n.group))].sort();
}

/** The assets that pass the filter, in its order. */
export function applyCatalogFilter(
  nodes: readonly AssetNode[],
  filter: CatalogFilter,
): AssetNode[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  const kept = nodes.filter((node) => {
    if (filter.group !== undefined && node.group !== filter.group) return false;
    if (filter.kind !== undefined && node.kind !== filter.kind) return false;
    if (filter.status !== undefined && node.status !== filter.status) return false;
    if (filter.tag !== undefined && !hasTag(node, filter.tag)) return false;
    if (filter.freshness !== undefined && freshnessOf(node) !== filter.freshness) return false;
    const key = node.key.toLowerCase();
    return words.every((w) => key.includes(w));
  });
  const compare = COMPARE[filter.sort];
  // Ties in key order, whichever the direction, so that the order is stable and predictable.
  kept.sort((a, b) => {
    const c = compare(a, b);
    return c !== 0 ? (filter.descending ? -c : c) : byKey(a, b);
  });
  return kept;
}

function hasTag(node: AssetNode, tag: string): boolean {
  return Object.entries(node.tags).some(([name, value]) => tagText(name, value) === tag);
}

function freshnessOf(node: AssetNode): FreshnessChoice {
  if (!node.freshness) return "none";
  return node.freshness.state === "overdue" ? "overdue" : "on-time";
}

/** Overdue last when ascending (first when descending), the longest overdue furthest. */
const freshnessWeight = (n: AssetNode): number =>
  !n.freshness ? -1 : n.freshness.state === "fresh" ? 0 : 1 + (n.freshness.lagSeconds ?? 1e12);

const byKey = (a: AssetNode, b: AssetNode): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Never-materialised assets count as the oldest. */
const lastTime = (n: AssetNode): number =>
  n.lastMaterializedAt ? Date.parse(n.lastMaterializedAt) : -Infinity;

/** Failed checks first when descending: failures, then checks run. */
const checkWeight = (n: AssetNode): number => n.checks.failed.length * 1e6 + n.checks.total;

const COMPARE: Record<SortKey, (a: AssetNode, b: AssetNode) => number> = {
  key: byKey,
  group: (a, b) => byText(a.group, b.group),
  kind: (a, b) => byText(a.kind, b.kind),
  partitions: (a, b) => (a.partitioned ? a.total : 0) - (b.partitioned ? b.total : 0),
  status: (a, b) => ASSET_STATUSES.indexOf(a.status) - ASSET_STATUSES.indexOf(b.status),
  freshness: (a, b) => freshnessWeight(a) - freshnessWeight(b),
  lastMaterialized: (a, b) => {
    const x = lastTime(a);
    const y = lastTime(b);
    return x === y ? 0 : x < y ? -1 : 1;
  },
  checks: (a, b) => checkWeight(a) - checkWeight(b),
};
