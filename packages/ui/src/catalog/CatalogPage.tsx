import { useLayoutEffect, useMemo, useRef, useState, type UIEvent } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { assetPath } from "../api/client";
import { useAssetGraph } from "../api/queries";
import { ASSET_STATUSES, type AssetNode } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { StatusFilter } from "../components/StatusFilter";
import { FreshnessBadge } from "../components/FreshnessBadge";
import { describeCounts, formatNumber, formatRelative, formatTime } from "../format";
import {
  applyCatalogFilter,
  ASSET_KINDS,
  FRESHNESS_CHOICES,
  groupsOf,
  readCatalogFilter,
  tagsOf,
  tagText,
  writeCatalogFilter,
  type CatalogFilter,
  type SortKey,
} from "./catalog-filter";

/** Rows are one line high: the list is windowed, only the rows in view (and a few) are drawn. */
const ROW_HEIGHT = 40;
const OVERSCAN = 10;

const COLUMNS: readonly { key: SortKey | "tags"; label: string }[] = [
  { key: "key", label: "Asset" },
  { key: "group", label: "Group" },
  { key: "kind", label: "Kind" },
  { key: "partitions", label: "Partitions" },
  { key: "status", label: "Health" },
  { key: "freshness", label: "Freshness" },
  { key: "lastMaterialized", label: "Last materialised" },
  { key: "checks", label: "Checks" },
  { key: "tags", label: "Owners · tags" },
];

/**
 * Every asset in one table — key, group, kind, partitions, health, last materialisation, checks,
 * tags — filtered by text, group, tag, kind and status and sorted by any column, all kept in the
 * URL. Thousands of assets stay fast: the rows are windowed.
 */
export function CatalogPage() {
  const search = useSearch();
  const [, navigate] = useLocation();
  const filter = readCatalogFilter(new URLSearchParams(search));
  const graph = useAssetGraph();
  const nodes = graph.data?.nodes;
  const groups = useMemo(() => groupsOf(nodes ?? []), [nodes]);
  const tags = useMemo(() => tagsOf(nodes ?? []), [nodes]);
  const rows = useMemo(
    () => applyCatalogFilter(nodes ?? [], readCatalogFilter(new URLSearchParams(search))),
    [nodes, search],
  );

  const update = (change: Partial<CatalogFilter>) => {
    const query = writeCatalogFilter({ ...filter, ...change });
    navigate(query ? `/catalog?${query}` : "/catalog", { replace: true });
  };
  const sortBy = (key: SortKey) =>
    update({ sort: key, descending: filter.sort === key ? !filter.descending : false });
  const filtered =
    filter.text !== "" ||
    filter.group ||
    filter.kind ||
    filter.status ||
    filter.tag ||
    filter.freshness;
  /** The drop-down filters, in the toolbar's order: the field each sets, from which options. */
  const choices: readonly {
    name: "group" | "tag" | "kind" | "freshness";
    label: string;
    options: readonly string[];
    set: (value: string | undefined) => Partial<CatalogFilter>;
  }[] = [
    { name: "group", label: "Group", options: groups, set: (group) => ({ group }) },
    { name: "tag", label: "Tag", options: tags, set: (tag) => ({ tag }) },
    {
      name: "kind",
      label: "Kind",
      options: ASSET_KINDS,
      set: (kind) => ({ kind: ASSET_KINDS.find((k) => k === kind) }),
    },
    {
      name: "freshness",
      label: "Freshness",
      options: FRESHNESS_CHOICES,
      set: (f) => ({ freshness: FRESHNESS_CHOICES.find((c) => c === f) }),
    },
  ];

  return (
    <div className="catalog-page">
      <div className="toolbar catalog-toolbar">
        <h1>Catalog</h1>
        <input
          type="search"
          value={filter.text}
          placeholder="Filter by key…"
          aria-label="Filter by key"
          onChange={(e) => update({ text: e.target.value })}
          data-testid="catalog-text"
        />
        {choices.map((c) => (
          <Choice
            key={c.name}
            label={c.label}
            value={filter[c.name]}
            options={c.options}
            onChange={(value) => update(c.set(value))}
            testId={`catalog-${c.name}`}
          />
        ))}
        <StatusFilter
          statuses={ASSET_STATUSES}
          value={filter.status}
          onChange={(status) => update({ status })}
          testId="catalog-status"
        />
        {filtered && (
          <button
            type="button"
            className="link-button"
            onClick={() => navigate("/catalog", { replace: true })}
            data-testid="catalog-clear"
          >
            Clear filters
          </button>
        )}
        <span className="spacer" />
        {nodes && (
          <span className="muted" data-testid="catalog-count">
            {rows.length === nodes.length
              ? `${formatNumber(nodes.length)} assets`
              : `${formatNumber(rows.length)} of ${formatNumber(nodes.length)} assets`}
          </span>
        )}
      </div>
      {graph.error && <ErrorLine error={graph.error} />}
      {!nodes && !graph.error && <p className="loading">Loading the catalog…</p>}
      {nodes && (
        <CatalogTable
          rows={rows}
          sort={filter.sort}
          descending={filter.descending}
          onSort={sortBy}
        />
      )}
    </div>
  );
}

function Choice({
  label,
  value,
  options,
  onChange,
  testId,
}: {
  label: string;
  value: string | undefined;
  options: readonly string[];
  onChange: (value: string | undefined) => void;
  testId: string;
}) {
  return (
    <label>
      {label}{" "}
      <select
        value={value ?? ""}
        onChange={(e) => onChange(e.target.value || undefined)}
        data-testid={testId}
      >
        <option value="">all</option>
        {/* A value from a link that no asset has any more stays selectable, so it can be seen. */}
        {value !== undefined && !options.includes(value) && <option value={value}>{value}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
}

function CatalogTable({
  rows,
  sort,
  descending,
  onSort,
}: {
  rows: readonly AssetNode[];
  sort: SortKey;
  descending: boolean;
  onSort: (key: SortKey) => void;
}) {
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  const body = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    const element = body.current;
    if (!element) return;
    const measure = () => setHeight(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const onScroll = (e: UIEvent<HTMLDivElement>) => setScrollTop(e.currentTarget.scrollTop);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + height) / ROW_HEIGHT) + OVERSCAN);
  const visible = rows.slice(first, last);
  const now = Date.now();

  return (
    <div
      className="catalog"
      role="table"
      aria-rowcount={rows.length}
      data-testid="catalog"
      data-ready="true"
      data-count={rows.length}
    >
      <div className="catalog-row catalog-head" role="row">
        {COLUMNS.map((c) =>
          c.key === "tags" ? (
            <div key={c.key} role="columnheader">
              {c.label}
            </div>
          ) : (
            <div
              key={c.key}
              role="columnheader"
              aria-sort={sort === c.key ? (descending ? "descending" : "ascending") : "none"}
            >
              <button
                type="button"
                className="sort-button"
                onClick={() => onSort(c.key as SortKey)}
                data-testid={`catalog-sort-${c.key}`}
              >
                {c.label}
                {sort === c.key ? (descending ? " ▼" : " ▲") : ""}
              </button>
            </div>
          ),
        )}
      </div>
      <div className="catalog-body" ref={body} onScroll={onScroll}>
        {rows.length === 0 && <p className="empty">No asset matches these filters.</p>}
        <div style={{ height: rows.length * ROW_HEIGHT, position: "relative" }}>
          {visible.map((node, i) => (
            <CatalogRow key={node.key} node={node} top={(first + i) * ROW_HEIGHT} now={now} />
          ))}
        </div>
      </div>
    </div>
  );
}

function CatalogRow({ node, top, now }: { node: AssetNode; top: number; now: number }) {
  const tagTexts = Object.entries(node.tags).map(([k, v]) => tagText(k, v));
  return (
    <div
      className="catalog-row"
      role="row"
      style={{ top, height: ROW_HEIGHT }}
      data-testid="catalog-row"
      data-asset-key={node.key}
      data-status={node.status}
    >
      <div role="cell" className="catalog-key" title={node.key}>
        <Link href={`/assets/${assetPath(node.key)}`}>{node.key}</Link>
      </div>
      <div role="cell">{node.group}</div>
      <div role="cell">
        <span className={`kind kind-${node.kind}`}>
          {node.kind === "dbt" ? "dbt" : "TypeScript"}
        </span>
      </div>
      <div role="cell">{node.partitioned ? formatNumber(node.total) : "–"}</div>
      <div role="cell" className="catalog-health" title={describeCounts(node.counts)}>
        <StatusBadge status={node.status} />
        {node.partitioned && <HealthStrip node={node} />}
      </div>
      <div role="cell" data-testid="catalog-freshness-cell">
        {node.freshness ? (
          <FreshnessBadge freshness={node.freshness} testId="catalog-freshness-badge" />
        ) : (
          <span className="muted">–</span>
        )}
      </div>
      <div role="cell" title={formatTime(node.lastMaterializedAt)}>
        {node.lastMaterializedAt ? formatRelative(node.lastMaterializedAt, now) : "never"}
      </div>
      <div role="cell">
        <Checks checks={node.checks} />
      </div>
      <div role="cell" className="catalog-tags" title={[...node.owners, ...tagTexts].join(", ")}>
        {node.owners.map((owner) => (
          <span key={owner} className="asset-chip owner-chip" data-testid="catalog-owner">
            {owner}
          </span>
        ))}
        {tagTexts.map((tag) => (
          <span key={tag} className="asset-chip">
            {tag}
          </span>
        ))}
      </div>
    </div>
  );
}

/** The share of partitions in each status, as a thin bar. */
function HealthStrip({ node }: { node: AssetNode }) {
  if (node.total === 0) return null;
  return (
    <span className="health-strip" aria-hidden>
      {ASSET_STATUSES.map((s) => {
        const n = node.counts[s] ?? 0;
        return n > 0 ? (
          <span
            key={s}
            className={`status-${s.toLowerCase()}`}
            style={{ width: `${(n / node.total) * 100}%` }}
          />
        ) : null;
      })}
    </span>
  );
}

function Checks({ checks }: { checks: AssetNode["checks"] }) {
  if (checks.total === 0) return <span className="muted">–</span>;
  if (checks.failed.length === 0) return <span>{checks.passed} passed</span>;
  return (
    <span className="checks-failed" title={checks.failed.map((c) => c.name).join(", ")}>
      {checks.failed.length} failed
    </span>
  );
}
