import { useMemo, useRef, useState, type PointerEvent } from "react";
import type { AssetStatus, KeyRange } from "../api/types";
import { formatNumber } from "../format";
import { indexAt, MAX_CELLS, partitionStatuses, segmentsOf, waitingFlags } from "./health-segments";
import { initialWindow, WINDOW_SIZES } from "./health-window";

const NO_RANGES: readonly KeyRange[] = [];

export interface PartitionRange {
  readonly from: string;
  readonly to: string;
  readonly count: number;
}

const WINDOWS = WINDOW_SIZES.map((size) => ({
  label: size === Infinity ? "All" : `Last ${size}`,
  size,
}));

/** A pointer that moves less than this between press and release clicks, it does not drag. */
const CLICK_SLOP_PX = 4;

/**
 * One bar for all the partitions of an asset, coloured by status. Dragging across it selects a
 * range of partitions (reported with `onSelect`); clicking a partition opens it (`onOpen`); the
 * window buttons zoom on the latest ones, and the bar opens on one where the materialised
 * partitions show (`initialWindow`).
 */
export function HealthBar({
  keys,
  ranges,
  waitingRanges = NO_RANGES,
  selection,
  onSelect,
  onOpen,
}: {
  keys: readonly string[];
  ranges: Partial<Record<AssetStatus, readonly KeyRange[]>>;
  /** Missing partitions waiting on an upstream partition never materialised: hatched. */
  waitingRanges?: readonly KeyRange[];
  selection: PartitionRange | undefined;
  onSelect: (range: PartitionRange | undefined) => void;
  onOpen: (partitionKey: string) => void;
}) {
  const statuses = useMemo(() => partitionStatuses(keys, ranges), [keys, ranges]);
  // Chosen once: the statuses refresh every few seconds, the window stays where the user put it.
  const [size, setSize] = useState<number>(() => initialWindow(statuses));
  const start = Math.max(0, keys.length - size);
  const end = keys.length;
  const window = { start, end };
  const waiting = useMemo(() => waitingFlags(keys, waitingRanges), [keys, waitingRanges]);
  const segments = useMemo(
    () => segmentsOf(statuses, { start, end }, waiting),
    [statuses, start, end, waiting],
  );
  const bar = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<
    { anchor: number; current: number; x: number; y: number; moved: boolean } | undefined
  >();
  const [hover, setHover] = useState<number | undefined>();
  const count = window.end - window.start;
  /** One cell per partition; otherwise segments, which CSS keeps visible when very narrow. */
  const cells = count <= MAX_CELLS;

  const at = (e: PointerEvent) => {
    const rect = bar.current!.getBoundingClientRect();
    return indexAt((e.clientX - rect.left) / rect.width, window);
  };
  const finish = (anchor: number, current: number) => {
    const from = Math.min(anchor, current);
    const to = Math.max(anchor, current);
    onSelect({ from: keys[from]!, to: keys[to]!, count: to - from + 1 });
  };

  const selected = selection && {
    from: keys.indexOf(selection.from),
    to: keys.indexOf(selection.to),
  };
  const shown = drag
    ? { from: Math.min(drag.anchor, drag.current), to: Math.max(drag.anchor, drag.current) }
    : selected;
  /** Left edge of partition i, and width of n partitions, as percentages of the bar. */
  const left = (i: number) => `${((i - start) / count) * 100}%`;
  const span = (n: number) => `${(n / count) * 100}%`;

  return (
    <div className="health">
      <div className="health-head">
        <span className="muted">
          {formatNumber(count)} of {formatNumber(keys.length)} partitions · click one to inspect it,
          drag to select
        </span>
        <span className="spacer" />
        {WINDOWS.filter((w) => w.size === Infinity || w.size < keys.length).map((w) => (
          <button
            key={w.label}
            className={size === w.size ? "chip active" : "chip"}
            onClick={() => setSize(w.size)}
            data-testid={`health-window-${w.size === Infinity ? "all" : w.size}`}
          >
            {w.label}
          </button>
        ))}
      </div>
      <div
        ref={bar}
        className={cells ? "health-bar" : "health-bar compressed"}
        data-testid="health-bar"
        data-from={keys[window.start]}
        data-to={keys[window.end - 1]}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          const i = at(e);
          setDrag({ anchor: i, current: i, x: e.clientX, y: e.clientY, moved: false });
        }}
        onPointerMove={(e) => {
          const i = at(e);
          setHover(i);
          if (!drag) return;
          const moved = movedSince(drag, e);
          if (drag.current !== i || moved !== drag.moved) setDrag({ ...drag, current: i, moved });
        }}
        onPointerUp={(e) => {
          if (!drag) return;
          const i = at(e);
          // A press and release on one partition, barely moving, opens it; anything else is a
          // range selected by dragging.
          const moved = movedSince(drag, e);
          if (!moved && i === drag.anchor) onOpen(keys[i]!);
          else finish(drag.anchor, i);
          setDrag(undefined);
        }}
        onPointerLeave={() => setHover(undefined)}
      >
        {segments.map((s) => (
          <div
            key={s.from}
            className={`health-segment status-${s.status.toLowerCase()}${cells ? " cell" : ""}${s.waiting ? " waiting" : ""}`}
            style={{ left: left(s.from), width: span(s.to - s.from + 1) }}
            data-testid="health-segment"
            data-partition={s.from === s.to ? keys[s.from] : undefined}
            data-status={s.status}
            data-waiting={s.waiting ? "true" : undefined}
          />
        ))}
        {shown && shown.to >= start && shown.from >= 0 && (
          <div
            className="health-selection"
            data-testid="health-selected"
            style={{
              left: left(Math.max(shown.from, start)),
              width: span(shown.to - Math.max(shown.from, start) + 1),
            }}
          />
        )}
      </div>
      <div className="health-foot">
        <span>{keys[window.start]}</span>
        <span className="hover-key" data-testid="health-hover">
          {hover !== undefined
            ? `${keys[hover]} · ${statuses[hover]!.toLowerCase()}${waiting[hover] ? ", waiting on upstream" : ""}`
            : ""}
        </span>
        <span>{keys[window.end - 1]}</span>
      </div>
    </div>
  );
}

/** Whether the pointer has moved far enough from where it was pressed to be a drag. */
function movedSince(
  drag: { readonly x: number; readonly y: number; readonly moved: boolean },
  e: PointerEvent,
): boolean {
  return drag.moved || Math.hypot(e.clientX - drag.x, e.clientY - drag.y) >= CLICK_SLOP_PX;
}
