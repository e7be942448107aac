import { useMemo, useState } from "react";
import type { Materialization } from "../api/types";
import { formatNumber, formatTime } from "../format";
import { barGeometry, chartSlots } from "./chart-slots";

/** Metadata entries plotted first when present: row counts under their usual names. */
const PREFERRED = ["row_count", "rows", "rows_loaded", "rows_affected"];

/**
 * A bar chart of a numeric metadata entry (row counts by default): per partition for a
 * partitioned asset (its latest materialisation each, at the partition's place: a partition
 * without one leaves a gap), over time otherwise.
 */
export function RowCountChart({
  materializations,
  partitioned,
  partitionKeys,
}: {
  materializations: readonly Materialization[];
  partitioned: boolean;
  /** The asset's partition keys in order, to place each partition's bar. */
  partitionKeys?: readonly string[];
}) {
  const numericKeys = useMemo(() => {
    const found = new Set<string>();
    for (const m of materializations)
      for (const [k, v] of Object.entries(m.metadata)) if (typeof v === "number") found.add(k);
    return [...found].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  }, [materializations]);
  const [chosen, setChosen] = useState<string | undefined>();
  const metric = chosen && numericKeys.includes(chosen) ? chosen : numericKeys[0];

  const points = useMemo(() => {
    if (!metric) return [];
    const withValue = materializations
      .filter((m) => typeof m.metadata[metric] === "number")
      .map((m) => ({
        label: partitioned ? m.partitionKey : formatTime(m.createdAt),
        sort: partitioned ? m.partitionKey : m.createdAt,
        value: m.metadata[metric] as number,
        runId: m.runId,
      }));
    return withValue.sort((a, b) => (a.sort < b.sort ? -1 : a.sort > b.sort ? 1 : 0));
  }, [materializations, metric, partitioned]);
  const slots = useMemo(
    () =>
      chartSlots(
        points.map((p) => p.label),
        partitioned ? partitionKeys : undefined,
      ),
    [points, partitioned, partitionKeys],
  );

  if (!metric || points.length === 0)
    return <p className="muted">No numeric metadata to plot yet.</p>;
  const max = Math.max(...points.map((p) => p.value), 1);
  const width = 1000;
  const height = 160;
  const bars = barGeometry(slots, width);
  const first = slots.positions.indexOf(0);
  const last = slots.positions.indexOf(slots.count - 1);
  return (
    <div className="chart" data-testid="row-count-chart" data-metric={metric}>
      <div className="chart-head">
        <label>
          Plot{" "}
          <select value={metric} onChange={(e) => setChosen(e.target.value)}>
            {numericKeys.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <span className="muted">
          {partitioned ? "per partition (latest materialisation)" : "per materialisation"} · max{" "}
          {formatNumber(max)}
        </span>
      </div>
      <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className="chart-svg">
        {points.map((p, i) => {
          const h = (p.value / max) * (height - 4);
          return (
            <rect
              key={`${p.sort}-${i}`}
              x={bars[i]!.x}
              y={height - h}
              width={Math.max(bars[i]!.width, 0.5)}
              height={h}
              data-testid="chart-bar"
            >
              <title>{`${p.label}: ${formatNumber(p.value)} ${metric}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="health-foot">
        <span>{points[first]!.label}</span>
        <span>{points[last]!.label}</span>
      </div>
    </div>
  );
}

/** Row counts first; counts of a whole multi-partition build (`build_…`) last. */
function rank(key: string): number {
  const i = PREFERRED.indexOf(key);
  if (i >= 0) return i;
  return key.startsWith("build_") ? PREFERRED.length + 1 : PREFERRED.length;
}
