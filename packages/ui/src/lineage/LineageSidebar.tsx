import { memo, useMemo, useState } from "react";
import type { AssetNode } from "../api/types";
import { formatNumber } from "../format";
import { worstStatus, type GroupCounts } from "./GroupNodeView";

export interface SidebarGroup {
  readonly group: string;
  readonly assets: readonly AssetNode[];
  readonly counts: GroupCounts;
  /** Its assets that miss their freshness policy. */
  readonly overdue: number;
}

/** Beyond this many matching assets the tree shows the first ones and says how many more. */
const MAX_LISTED = 300;

/**
 * The groups and their assets as a tree, filterable by key: clicking an asset jumps to it on
 * the graph (expanding its group), clicking a group centres on it; all groups collapse or
 * expand at once.
 */
export const LineageSidebar = memo(function LineageSidebar({
  groups,
  collapsed,
  onAsset,
  onGroup,
  onCollapseAll,
  onExpandAll,
}: {
  groups: readonly SidebarGroup[];
  collapsed: ReadonlySet<string>;
  onAsset: (key: string) => void;
  onGroup: (group: string) => void;
  onCollapseAll: () => void;
  onExpandAll: () => void;
}) {
  const [filter, setFilter] = useState("");
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const needle = filter.trim().toLowerCase();
  const shown = useMemo(() => {
    let budget = MAX_LISTED;
    return groups.map((g) => {
      const listed = needle
        ? g.assets.filter((a) => a.key.toLowerCase().includes(needle))
        : open.has(g.group)
          ? g.assets
          : [];
      const rows = listed.slice(0, Math.max(0, budget));
      budget -= rows.length;
      return { ...g, listed, rows };
    });
  }, [groups, needle, open]);
  const toggle = (group: string) =>
    setOpen((o) => {
      const next = new Set(o);
      if (!next.delete(group)) next.add(group);
      return next;
    });

  return (
    <aside className="lineage-sidebar" data-testid="lineage-sidebar">
      <input
        placeholder="Filter groups and assets…"
        value={filter}
        onChange={(e) => setFilter(e.target.value)}
        aria-label="Filter groups and assets"
      />
      <div className="sidebar-actions">
        <button
          className="link-button"
          data-testid="collapse-all"
          disabled={collapsed.size === groups.length}
          onClick={onCollapseAll}
        >
          Collapse all
        </button>
        <button
          className="link-button"
          data-testid="expand-all"
          disabled={collapsed.size === 0}
          onClick={onExpandAll}
        >
          Expand all
        </button>
      </div>
      <ul className="sidebar-tree">
        {shown
          .filter((g) => !needle || g.listed.length > 0 || g.group.toLowerCase().includes(needle))
          .map((g) => (
            <li key={g.group}>
              <div className="sidebar-group">
                <button
                  className="sidebar-disclosure"
                  aria-label={
                    open.has(g.group) ? `Hide ${g.group}'s assets` : `List ${g.group}'s assets`
                  }
                  aria-expanded={needle ? true : open.has(g.group)}
                  onClick={() => toggle(g.group)}
                >
                  {needle || open.has(g.group) ? "▾" : "▸"}
                </button>
                <button
                  className={`sidebar-group-name status-${worstStatus(g.counts).toLowerCase()}`}
                  data-testid="sidebar-group"
                  data-group={g.group}
                  onClick={() => onGroup(g.group)}
                  title={collapsed.has(g.group) ? "Collapsed: centre on it" : "Centre on it"}
                >
                  <span className="status-dot" /> {g.group}
                </button>
                <span className="muted">{formatNumber(g.assets.length)}</span>
              </div>
              {g.rows.length > 0 && (
                <ul>
                  {g.rows.map((a) => (
                    <li key={a.key}>
                      <button
                        className={`sidebar-asset status-${a.status.toLowerCase()}`}
                        data-testid="sidebar-asset"
                        data-asset-key={a.key}
                        onClick={() => onAsset(a.key)}
                        title={a.key}
                      >
                        <span className="status-dot" /> {a.key.slice(a.key.indexOf("/") + 1)}
                      </button>
                    </li>
                  ))}
                  {g.listed.length > g.rows.length && (
                    <li className="muted">{formatNumber(g.listed.length - g.rows.length)} more…</li>
                  )}
                </ul>
              )}
            </li>
          ))}
      </ul>
    </aside>
  );
});
