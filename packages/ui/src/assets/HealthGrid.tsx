import { useMemo, useState } from "react";
import type { AssetDetail, AssetStatus, KeyRange } from "../api/types";
import { formatNumber } from "../format";
import { cellKey, periodStatuses, windowStatuses, windowWaiting } from "./grid-cells";
import { initialWindow, WINDOW_SIZES } from "./health-window";

const NO_RANGES: readonly KeyRange[] = [];
/** Beyond this many periods, "All" would draw too many cells to read or to render. */
const MAX_PERIODS = 1_000;

type Grid = NonNullable<AssetDetail["partitionGrid"]>;

/**
 * The health of two-dimensional partitions as a grid: periods along x (the latest on the
 * right), the static keys along y, one cell per partition coloured by status; clicking a cell
 * opens that partition. Only the cells of the window shown are computed: the API sends the
 * periods and the static keys, not every key.
 */
export function HealthGrid({
  grid,
  ranges,
  waitingRanges = NO_RANGES,
  onOpen,
}: {
  grid: Grid;
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>;
  waitingRanges?: readonly KeyRange[];
  onOpen: (partitionKey: string) => void;
}) {
  const n = grid.staticKeys.length;
  const periods = grid.periodKeys.length;
  // A period counts as materialised when any of its partitions is: the window opens on them.
  const byPeriod = useMemo(() => periodStatuses(grid, ranges), [grid, ranges]);
  const sizes = WINDOW_SIZES.filter((s) => (s === Infinity ? periods <= MAX_PERIODS : s < periods));
  const [size, setSize] = useState<number>(() =>
    Math.min(initialWindow(byPeriod), periods <= MAX_PERIODS ? Infinity : 365),
  );
  const start = Math.max(0, periods - size);
  const shown = periods - start;
  const statuses = useMemo(
    () => windowStatuses(grid, ranges, start, periods),
    [grid, ranges, start, periods],
  );
  const waiting = useMemo(
    () => windowWaiting(grid, waitingRanges, start, periods),
    [grid, waitingRanges, start, periods],
  );
  const [hover, setHover] = useState<number | undefined>();
  const key = (i: number) => cellKey(grid, i);
  // Positions in the window's arrays.
  const at = (i: number) => i - start * n;

  return (
    <div className="health">
      <div className="health-head">
        <span className="muted">
          {formatNumber(shown)} of {formatNumber(periods)} {grid.timeDimension} × {n}{" "}
          {grid.staticDimension} · click a cell to inspect it
        </span>
        <span className="spacer" />
        {sizes.map((s) => (
          <button
            key={s}
            className={size === s ? "chip active" : "chip"}
            onClick={() => setSize(s)}
            data-testid={`health-window-${s === Infinity ? "all" : s}`}
          >
            {s === Infinity ? "All" : `Last ${s}`}
          </button>
        ))}
      </div>
      <div
        className="health-grid"
        data-testid="health-grid"
        style={{ gridTemplateColumns: `max-content repeat(${shown}, minmax(0, 1fr))` }}
        onPointerLeave={() => setHover(undefined)}
      >
        {grid.staticKeys.map((staticKey, s) => [
          <div
            key={`label-${staticKey}`}
            className="health-grid-label"
            title={grid.staticDimension}
          >
            {staticKey}
          </div>,
          ...Array.from({ length: shown }, (_, c) => {
            const i = (start + c) * n + s;
            const status = statuses[at(i)]!;
            return (
              <div
                key={i}
                className={`health-cell status-${status.toLowerCase()}${waiting[at(i)] ? " waiting" : ""}`}
                data-testid="health-cell"
                data-partition={key(i)}
                data-status={status}
                onPointerEnter={() => setHover(i)}
                onClick={() => onOpen(key(i))}
              />
            );
          }),
        ])}
      </div>
      <div className="health-foot">
        <span>{shown > 0 ? grid.periodKeys[start] : ""}</span>
        <span className="hover-key" data-testid="health-hover">
          {hover !== undefined && hover >= start * n
            ? `${key(hover)} · ${statuses[at(hover)]!.toLowerCase()}${waiting[at(hover)] ? ", waiting on upstream" : ""}`
            : ""}
        </span>
        <span>{shown > 0 ? grid.periodKeys[periods - 1] : ""}</span>
      </div>
    </div>
  );
}
