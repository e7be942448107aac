import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { RunEvent } from "../api/types";

/** Lines kept in the page; older ones are counted, not drawn. */
const SHOWN = 2_000;

/**
 * The run's events as text lines (never HTML), filterable, following the end of the log while
 * the run is live unless the reader scrolled up.
 */
export function EventLog({ events, live }: { events: readonly RunEvent[]; live: boolean }) {
  const [filter, setFilter] = useState("");
  const [errorsOnly, setErrorsOnly] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);

  const visible = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return events.filter(
      (e) =>
        (!errorsOnly || e.level === "error" || e.level === "warn") &&
        (!needle ||
          e.message.toLowerCase().includes(needle) ||
          (e.stepKey ?? "").toLowerCase().includes(needle) ||
          e.type.toLowerCase().includes(needle)),
    );
  }, [events, filter, errorsOnly]);
  const hidden = Math.max(0, visible.length - SHOWN);
  const lines = hidden ? visible.slice(hidden) : visible;

  useLayoutEffect(() => {
    if (pinned.current && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines]);
  useEffect(() => {
    pinned.current = true;
  }, [filter, errorsOnly]);

  return (
    <div className="event-log-wrap">
      <div className="toolbar">
        <input
          placeholder="Filter events…"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter events"
        />
        <label>
          <input
            type="checkbox"
            checked={errorsOnly}
            onChange={(e) => setErrorsOnly(e.target.checked)}
          />{" "}
          warnings and errors only
        </label>
        <span className="spacer" />
        <span className="muted" data-testid="event-count">
          {events.length} events{live ? " · live" : ""}
        </span>
      </div>
      <div
        className="event-log"
        data-testid="event-log"
        ref={box}
        onScroll={(e) => {
          const el = e.currentTarget;
          pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {hidden > 0 && <div className="muted">… {hidden} earlier events not shown</div>}
        {lines.map((e) => (
          <div
            key={e.id}
            className={`log-line level-${e.level}`}
            data-testid="log-line"
            data-type={e.type}
          >
            <span className="log-time">{e.timestamp.slice(11, 23)}</span>
            <span className="log-type">{e.type}</span>
            {e.stepKey && (
              <span className="log-step" title={e.stepKey}>
                {e.stepKey}
              </span>
            )}
            <span className="log-message">{e.message}</span>
          </div>
        ))}
      </div>
    </div>
  );
}
