import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { useLocation } from "wouter";
import { api, assetPath } from "../api/client";
import { useAssetGraph } from "../api/queries";
import { shortId } from "../format";
import { matchAssets, matchPages, runPrefixOf, type SearchResult } from "./search-match";

const MAX_ASSETS = 12;
const MAX_RUNS = 6;

/**
 * Jump anywhere: an asset (by its key), a run (by the start of its id, looked up on the server
 * so old runs are found too) or a page. Arrows move, Enter goes, Escape closes.
 */
export function SearchDialog({ onClose }: { onClose: () => void }) {
  const [query, setQuery] = useState("");
  const [active, setActive] = useState(0);
  const [, navigate] = useLocation();
  const graph = useAssetGraph();
  const prefix = runPrefixOf(query);
  const runs = useQuery({
    queryKey: ["runSearch", prefix],
    queryFn: () => api.runs({ idPrefix: prefix, limit: MAX_RUNS }),
    enabled: prefix !== undefined,
  });
  const keys = useMemo(() => graph.data?.nodes.map((n) => n.key) ?? [], [graph.data]);

  const sections: { title: string; results: SearchResult[] }[] = [
    { title: "Pages", results: matchPages(query) },
    {
      title: "Runs",
      results:
        prefix !== undefined
          ? (runs.data?.runs ?? []).map((r) => ({
              kind: "run" as const,
              label: shortId(r.id),
              detail: `${r.status.toLowerCase()} · ${r.selection}`,
              href: `/runs/${r.id}`,
            }))
          : [],
    },
    {
      title: "Assets",
      results: matchAssets(keys, query, MAX_ASSETS).map((key) => ({
        kind: "asset" as const,
        label: key,
        href: `/assets/${assetPath(key)}`,
      })),
    },
  ];
  const results = sections.flatMap((s) => s.results);
  const current = Math.min(active, Math.max(0, results.length - 1));

  const list = useRef<HTMLUListElement>(null);
  useEffect(() => {
    list.current?.querySelector('[aria-selected="true"]')?.scrollIntoView({ block: "nearest" });
  }, [current, results.length]);

  const go = (result: SearchResult | undefined) => {
    if (!result) return;
    onClose();
    navigate(result.href);
  };

  let index = 0;
  return (
    <div className="dialog-backdrop search-backdrop" onClick={onClose}>
      <div
        className="dialog search-dialog"
        role="dialog"
        aria-label="Search"
        data-testid="search-dialog"
        onClick={(e) => e.stopPropagation()}
      >
        <input
          autoFocus
          value={query}
          placeholder="Jump to an asset, a run (its id's first characters) or a page…"
          aria-label="Search"
          role="combobox"
          aria-expanded="true"
          aria-controls="search-results"
          onChange={(e) => {
            setQuery(e.target.value);
            setActive(0);
          }}
          onKeyDown={(e) => {
            if (e.key === "ArrowDown" || e.key === "ArrowUp") {
              e.preventDefault();
              const step = e.key === "ArrowDown" ? 1 : -1;
              setActive((current + step + results.length) % Math.max(1, results.length));
            } else if (e.key === "Enter") {
              e.preventDefault();
              go(results[current]);
            } else if (e.key === "Escape") {
              e.preventDefault();
              onClose();
            }
          }}
          data-testid="search-input"
        />
        <ul className="search-results" id="search-results" role="listbox" ref={list}>
          {sections.map((section) =>
            section.results.length === 0 ? null : (
              <li key={section.title} role="presentation">
                <div className="search-section">{section.title}</div>
                <ul role="group" className="search-group">
                  {section.results.map((result) => {
                    const i = index++;
                    return (
                      <li
                        key={`${result.kind}:${result.href}`}
                        role="option"
                        aria-selected={i === current}
                        className="search-result"
                        onMouseMove={() => setActive(i)}
                        onClick={() => go(result)}
                        data-testid="search-result"
                        data-kind={result.kind}
                        data-href={result.href}
                      >
                        <span className={result.kind === "run" ? "mono" : undefined}>
                          {result.label}
                        </span>
                        {result.detail && <span className="search-detail">{result.detail}</span>}
                      </li>
                    );
                  })}
                </ul>
              </li>
            ),
          )}
          {results.length === 0 && (
            <li className="empty" role="presentation">
              {prefix !== undefined && runs.isFetching ? "Looking for runs…" : "Nothing found."}
            </li>
          )}
        </ul>
        <div className="search-hint">
          <kbd>↑</kbd> <kbd>↓</kbd> to move · <kbd>Enter</kbd> to open · <kbd>Esc</kbd> to close
          {query !== "" && prefix === undefined && /^[0-9a-f-]{1,3}$/i.test(query.trim())
            ? " · runs are found from 4 characters of their id"
            : ""}
        </div>
      </div>
    </div>
  );
}
