import { useMemo, useState } from "react";
import type { AssetDetail, AssetStatus, KeyRange } from "../api/types";
import { formatNumber } from "../format";
import { partitionStatuses, waitingFlags } from "./health-segments";
import { initialWindow, WINDOW_SIZES } from "./health-window";

const NO_RANGES: readonly KeyRange[] = [];
/** Beyond this many periods, "All" would draw too many cells to read or to render. */
const MAX_PERIODS = 1_000;

type Grid = NonNullable<AssetDetail["partitionGrid"]>;

/**
 * The health of two-dimensional partitions as a grid: periods along x (the latest on the
 * right), the static keys along y, one cell per partition coloured by status; clicking a cell
 * opens that partition. `keys` are time-major: each period's static keys, in `grid.staticKeys`
 * order.
 */
export function HealthGrid({
  keys,
  grid,
  ranges,
  waitingRanges = NO_RANGES,
  onOpen,
}: {
  keys: readonly string[];
  grid: Grid;
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>;
  waitingRanges?: readonly KeyRange[];
  onOpen: (partitionKey: string) => void;
}) {
  const n = grid.staticKeys.length;
  const periods = Math.floor(keys.length / n);
  const statuses = useMemo(() => partitionStatuses(keys, ranges), [keys, ranges]);
  const waiting = useMemo(() => waitingFlags(keys, waitingRanges), [keys, waitingRanges]);
  // A period counts as materialised when any of its partitions is: the window opens on them.
  const byPeriod = useMemo(
    () =>
      Array.from({ length: periods }, (_, t): AssetStatus =>
        statuses.slice(t * n, t * n + n).some((s) => s !== "MISSING") ? "FRESH" : "MISSING",
      ),
    [statuses, periods, n],
  );
  const sizes = WINDOW_SIZES.filter((s) => (s === Infinity ? periods <= MAX_PERIODS : s < periods));
  const [size, setSize] = useState<number>(() =>
    Math.min(initialWindow(byPeriod), periods <= MAX_PERIODS ? Infinity : 365),
  );
  const start = Math.max(0, periods - size);
  const shown = periods - start;
  const [hover, setHover] = useState<number | undefined>();
  const timeOf = (i: number) => keys[i]!.slice(0, keys[i]!.lastIndexOf("|"));

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
            const status = statuses[i]!;
            return (
              <div
                key={i}
                className={`health-cell status-${status.toLowerCase()}${waiting[i] ? " waiting" : ""}`}
                data-testid="health-cell"
                data-partition={keys[i]}
                data-status={status}
                onPointerEnter={() => setHover(i)}
                onClick={() => onOpen(keys[i]!)}
              />
            );
          }),
        ])}
      </div>
      <div className="health-foot">
        <span>{shown > 0 ? timeOf(start * n) : ""}</span>
        <span className="hover-key" data-testid="health-hover">
          {hover !== undefined
            ? `${keys[hover]} · ${statuses[hover]!.toLowerCase()}${waiting[hover] ? ", waiting on upstream" : ""}`
            : ""}
        </span>
        <span>{shown > 0 ? timeOf((periods - 1) * n) : ""}</span>
      </div>
    </div>
  );
}
