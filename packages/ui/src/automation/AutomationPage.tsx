import { useState, type MouseEvent, type ReactNode } from "react";
import { Link, useLocation, useSearch } from "wouter";
import { assetPath } from "../api/client";
import { useAutomation, useScheduleTicks, useSetAutomationEnabled } from "../api/queries";
import type {
  Automation,
  AutomationKind,
  ScheduleState,
  ScheduleTickStatus,
  SensorState,
} from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { TableHead } from "../components/TableHead";
import { formatDuration, formatRelative, formatTime, formatTimeIn, shortId } from "../format";

/** One line of the table: a schedule, a sensor or an eager asset. */
interface AutomationItem {
  readonly kind: AutomationKind;
  readonly name: string;
  readonly when: ReactNode;
  readonly selection: string;
  readonly description: string | null;
  readonly enabled: boolean;
  readonly next: ReactNode;
  readonly lastTick:
    | { readonly status: ScheduleTickStatus; readonly at: string; readonly runIds: string[] }
    | undefined;
}

/**
 * Schedules, sensors and eager assets with their on/off switches, next and last ticks; the
 * selected schedule's tick history, or the selected sensor's latest ticks (`?schedule=`,
 * `?sensor=` in the URL).
 */
export function AutomationPage() {
  const search = new URLSearchParams(useSearch());
  const automation = useAutomation();
  const schedule = search.get("schedule") ?? undefined;
  const sensor = search.get("sensor") ?? undefined;

  return (
    <div className="automation-page" data-testid="automation-page">
      <div className="page-head">
        <h1>Automation</h1>
        <span className="muted">
          Evaluated by <span className="mono">lignee scheduler</span> (and by{" "}
          <span className="mono">lignee dev</span>); a switch applies at its next evaluation.
        </span>
      </div>
      {automation.error && <ErrorLine error={automation.error} />}
      {!automation.data && !automation.error && <p className="loading">Loading automation…</p>}
      {automation.data && (
        <>
          <AutomationTable
            automation={automation.data}
            selected={schedule ? `schedule:${schedule}` : sensor ? `sensor:${sensor}` : undefined}
          />
          {schedule && (
            <ScheduleTicks
              schedule={automation.data.schedules.find((s) => s.name === schedule)}
              name={schedule}
            />
          )}
          {sensor && (
            <SensorTicks
              sensor={automation.data.sensors.find((s) => s.name === sensor)}
              name={sensor}
            />
          )}
        </>
      )}
    </div>
  );
}

function AutomationTable({
  automation,
  selected,
}: {
  automation: Automation;
  selected: string | undefined;
}) {
  const items = itemsOf(automation);
  if (items.length === 0) {
    return <p className="empty">No schedules, sensors or eager assets are defined.</p>;
  }
  return (
    <table className="table automation" data-testid="automation-table">
      <TableHead columns={["Name", "Kind", "When", "Selection", "On", "Next tick", "Last tick"]} />
      <tbody>
        {items.map((item) => (
          <AutomationRow
            key={`${item.kind}:${item.name}`}
            item={item}
            selected={selected === `${item.kind}:${item.name}`}
          />
        ))}
      </tbody>
    </table>
  );
}

function AutomationRow({ item, selected }: { item: AutomationItem; selected: boolean }) {
  const [, navigate] = useLocation();
  const toggle = useSetAutomationEnabled();
  // While the switch is being saved (until the overview is fetched again), the requested state.
  const enabled = toggle.isPending ? toggle.variables.enabled : item.enabled;
  const href = detailHref(item);
  const open = (e: MouseEvent) => {
    if (href && !(e.target as HTMLElement).closest("a, button")) navigate(href);
  };
  return (
    <tr
      className={[href ? "clickable" : "", selected ? "selected" : ""].join(" ").trim()}
      onClick={open}
      data-testid="automation-row"
      data-name={item.name}
      data-kind={item.kind}
      data-enabled={String(enabled)}
    >
      <td title={item.description ?? undefined}>
        {href ? (
          <Link href={href} className="mono">
            {item.name}
          </Link>
        ) : (
          <Link href={`/assets/${assetPath(item.name)}`} className="mono">
            {item.name}
          </Link>
        )}
        {item.description && <div className="muted description-line">{item.description}</div>}
      </td>
      <td>{item.kind}</td>
      <td>{item.when}</td>
      <td className="mono selection" title={item.selection}>
        {item.selection}
      </td>
      <td>
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-label={`${enabled ? "Turn off" : "Turn on"} ${item.kind} ${item.name}`}
          className={enabled ? "switch on" : "switch"}
          disabled={toggle.isPending}
          onClick={() =>
            toggle.mutate({ kind: item.kind, name: item.name, enabled: !item.enabled })
          }
          data-testid="automation-toggle"
        >
          <span className="switch-knob" />
        </button>
        {toggle.error && <ErrorLine error={toggle.error} />}
      </td>
      <td data-testid="automation-next-tick">{enabled ? item.next : "off"}</td>
      <td data-testid="automation-last-tick">
        {item.lastTick ? (
          <span className="tick-summary">
            <StatusBadge status={item.lastTick.status} />
            <span className="muted">{formatTime(item.lastTick.at)}</span>
            {item.lastTick.runIds.slice(0, 3).map((id) => (
              <Link key={id} href={`/runs/${id}`} className="mono">
                {shortId(id)}
              </Link>
            ))}
            {item.lastTick.runIds.length > 3 && (
              <span className="muted">+{item.lastTick.runIds.length - 3}</span>
            )}
          </span>
        ) : (
          <span className="muted">none yet</span>
        )}
      </td>
    </tr>
  );
}

/** The page showing a row's ticks: schedules and sensors have one, eager assets link to theirs. */
function detailHref(item: AutomationItem): string | undefined {
  switch (item.kind) {
    case "schedule":
      return `/automation?schedule=${encodeURIComponent(item.name)}`;
    case "sensor":
      return `/automation?sensor=${encodeURIComponent(item.name)}`;
    case "eager":
      return undefined;
  }
}

/** Sensors and eager automation have no fixed next tick: the scheduler evaluates them in turn. */
const EVALUATED = (
  <span className="muted" title="At the scheduler's next evaluation">
    –
  </span>
);

function itemsOf(automation: Automation): AutomationItem[] {
  const eagerTick = automation.eager.lastTicks[0];
  return [
    ...automation.schedules.map((s): AutomationItem => ({
      kind: "schedule",
      name: s.name,
      when: (
        <>
          <span className="mono">{s.cron}</span> <span className="muted">{s.timezone}</span>
        </>
      ),
      selection: s.selection,
      description: s.description,
      enabled: s.enabled,
      next: s.nextTickAt ? (
        <span data-next-tick={s.nextTickAt} title={formatTime(s.nextTickAt)}>
          {formatTimeIn(s.nextTickAt, s.timezone)}{" "}
          <span className="muted">{formatRelative(s.nextTickAt)}</span>
        </span>
      ) : (
        "–"
      ),
      lastTick: s.lastTicks[0] && {
        status: s.lastTicks[0].status,
        at: s.lastTicks[0].scheduledAt,
        runIds: s.lastTicks[0].runId ? [s.lastTicks[0].runId] : [],
      },
    })),
    ...automation.sensors.map((s): AutomationItem => ({
      kind: "sensor",
      name: s.name,
      when: `every ${formatDuration(s.intervalMs)}`,
      selection: s.selection,
      description: s.description,
      enabled: s.enabled,
      next: EVALUATED,
      lastTick: s.lastTicks[0] && {
        status: s.lastTicks[0].status,
        at: s.lastTicks[0].createdAt,
        runIds: [...s.lastTicks[0].runIds],
      },
    })),
    ...automation.eager.assets.map((a): AutomationItem => ({
      kind: "eager",
      name: a.key,
      when: "on upstream changes",
      selection: a.key,
      description: null,
      enabled: a.enabled,
      next: EVALUATED,
      // Eager automation is evaluated for all eager assets at once: its latest evaluation.
      lastTick: eagerTick && {
        status: eagerTick.status,
        at: eagerTick.createdAt,
        runIds: [...eagerTick.runIds],
      },
    })),
  ];
}

const TICKS_PAGE = 50;
const MAX_TICKS = 500;

/** A schedule's ticks, newest first: when, outcome, the run it launched, the error. */
function ScheduleTicks({ schedule, name }: { schedule: ScheduleState | undefined; name: string }) {
  const [limit, setLimit] = useState(TICKS_PAGE);
  const ticks = useScheduleTicks(name, limit);
  if (!schedule) return <ErrorLine error={`There is no schedule named "${name}".`} />;
  return (
    <section data-testid="tick-history" data-schedule={name}>
      <h2>
        Ticks of <span className="mono">{name}</span>
      </h2>
      {ticks.error && <ErrorLine error={ticks.error} />}
      {!ticks.data && !ticks.error && <p className="loading">Loading ticks…</p>}
      {ticks.data && ticks.data.ticks.length === 0 && (
        <p className="muted">
          No ticks yet: the scheduler records one at each scheduled time while the schedule is on.
        </p>
      )}
      {ticks.data && ticks.data.ticks.length > 0 && (
        <>
          <table className="table" data-testid="ticks-table">
            <TableHead columns={["Scheduled for", "Status", "Run", "Error"]} />
            <tbody>
              {ticks.data.ticks.map((t) => (
                <tr
                  key={t.scheduledAt}
                  data-testid="tick-row"
                  data-status={t.status}
                  data-scheduled-at={t.scheduledAt}
                >
                  <td title={formatTime(t.scheduledAt)}>
                    {formatTimeIn(t.scheduledAt, schedule.timezone)}
                  </td>
                  <td>
                    <StatusBadge status={t.status} />
                  </td>
                  <td className="mono">
                    {t.runId ? <Link href={`/runs/${t.runId}`}>{shortId(t.runId)}</Link> : "–"}
                  </td>
                  <td className="tick-error">{t.error ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {ticks.data.ticks.length === limit && limit < MAX_TICKS && (
            <button
              className="link-button"
              onClick={() => setLimit(Math.min(MAX_TICKS, limit + TICKS_PAGE))}
            >
              Older ticks
            </button>
          )}
        </>
      )}
    </section>
  );
}

/** A sensor's latest evaluations: when, outcome, the runs it requested, its message. */
function SensorTicks({ sensor, name }: { sensor: SensorState | undefined; name: string }) {
  if (!sensor) return <ErrorLine error={`There is no sensor named "${name}".`} />;
  return (
    <section data-testid="tick-history" data-sensor={name}>
      <h2>
        Latest ticks of <span className="mono">{name}</span>
      </h2>
      {sensor.lastTicks.length === 0 ? (
        <p className="muted">
          No ticks yet: the scheduler evaluates the sensor every {formatDuration(sensor.intervalMs)}{" "}
          while it is on.
        </p>
      ) : (
        <table className="table" data-testid="ticks-table">
          <TableHead columns={["When", "Status", "Runs", "Message"]} />
          <tbody>
            {sensor.lastTicks.map((t) => (
              <tr key={t.id} data-testid="tick-row" data-status={t.status}>
                <td>{formatTime(t.createdAt)}</td>
                <td>
                  <StatusBadge status={t.status} />
                </td>
                <td className="mono">
                  {t.runIds.length === 0
                    ? "–"
                    : t.runIds.map((id) => (
                        <Link key={id} href={`/runs/${id}`} className="asset-chip">
                          {shortId(id)}
                        </Link>
                      ))}
                </td>
                <td>{t.message ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
