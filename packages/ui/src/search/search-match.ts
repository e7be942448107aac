import type { RunIdPrefixMin } from "../api/types";

/**
 * What the search dialog finds, pure: pages by name, assets by key (substring first, then
 * letters in order), and whether the query can be the start of a run id.
 */
export interface SearchResult {
  readonly kind: "page" | "run" | "asset";
  readonly label: string;
  readonly detail?: string;
  readonly href: string;
}

export const PAGES: readonly SearchResult[] = [
  { kind: "page", label: "Lineage", href: "/" },
  { kind: "page", label: "Catalog", href: "/catalog" },
  { kind: "page", label: "Runs", href: "/runs" },
  { kind: "page", label: "Backfills", href: "/backfills" },
  { kind: "page", label: "Automation", href: "/automation" },
];

/** The fewest characters of a run id the API looks up (checked against the engine's). */
export const MIN_RUN_PREFIX: RunIdPrefixMin = 4;

/** The query as the start of a run id (hexadecimal, dashes allowed), or undefined. */
export function runPrefixOf(query: string): string | undefined {
  const text = query.trim().toLowerCase();
  const hex = text.replaceAll("-", "");
  if (hex.length < MIN_RUN_PREFIX || hex.length > 32 || !/^[0-9a-f-]+$/.test(text))
    return undefined;
  return text;
}

export function matchPages(query: string): SearchResult[] {
  const text = query.trim().toLowerCase();
  if (!text) return [...PAGES];
  return PAGES.filter((p) => p.label.toLowerCase().includes(text));
}

/**
 * Asset keys matching the query, best first: the key starts with it, then a path segment does,
 * then it appears anywhere, then its characters appear in order (`rwoff` → raw/offres).
 */
export function matchAssets(keys: readonly string[], query: string, limit: number): string[] {
  const text = query.trim().toLowerCase();
  if (!text) return [];
  const scored: { key: string; score: number }[] = [];
  for (const key of keys) {
    const score = scoreKey(key.toLowerCase(), text);
    if (score > 0) scored.push({ key, score });
  }
  scored.sort(
    (a, b) => b.score - a.score || a.key.length - b.key.length || (a.key < b.key ? -1 : 1),
  );
  return scored.slice(0, limit).map((s) => s.key);
}

function scoreKey(key: string, text: string): number {
  if (key === text) return 5;
  if (key.startsWith(text)) return 4;
  const at = key.indexOf(text);
  if (at > 0 && /[/_.-]/.test(key[at - 1]!)) return 3;
  if (at >= 0) return 2;
  return inOrder(key, text) ? 1 : 0;
}

function inOrder(key: string, text: string): boolean {
  let from = 0;
  for (const char of text) {
    if (char === " ") continue;
    from = key.indexOf(char, from);
    if (from < 0) return false;
    from++;
  }
  return true;
}
