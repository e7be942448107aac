import type { Definitions } from "../definitions/definitions";
import type { AutomationStore, ScheduleTick, SensorTick } from "./automation-store";
import { parseCron } from "../definitions/cron";
import { EAGER_TICK_NAME } from "../definitions/sensor";

export interface ScheduleTickView {
  readonly scheduledAt: string;
  readonly status: ScheduleTick["status"];
  readonly runId: string | null;
  readonly error: string | null;
}

export interface SensorTickView {
  readonly id: number;
  readonly status: SensorTick["status"];
  readonly runIds: readonly string[];
  readonly message: string | null;
  readonly cursor: string | null;
  readonly createdAt: string;
}

export interface AutomationOverview {
  readonly schedules: readonly {
    readonly name: string;
    readonly cron: string;
    readonly timezone: string;
    readonly selection: string;
    readonly description: string | null;
    readonly enabled: boolean;
    /** The next tick if the schedule is enabled. */
    readonly nextTickAt: string | null;
    readonly lastTicks: readonly ScheduleTickView[];
  }[];
  readonly sensors: readonly {
    readonly name: string;
    readonly selection: string;
    readonly description: string | null;
    readonly intervalMs: number;
    readonly enabled: boolean;
    readonly cursor: string | null;
    readonly lastTicks: readonly SensorTickView[];
  }[];
  readonly eager: {
    readonly assets: readonly { readonly key: string; readonly enabled: boolean }[];
    readonly lastTicks: readonly SensorTickView[];
  };
}

/**
 * The schedules, sensors and eager assets of the definitions with their switches, next tick
 * and latest ticks (`GET /api/automation`). Automation never evaluated yet counts as enabled,
 * as the scheduler would find it.
 */
export async function automationOverview(
  definitions: Definitions<unknown>,
  store: AutomationStore,
  now: Date,
  options: { ticks?: number } = {},
): Promise<AutomationOverview> {
  const limit = options.ticks ?? 5;
  const states = await store.listStates();
  const enabled = (kind: string, name: string): boolean =>
    states.find((s) => s.kind === kind && s.name === name)?.enabled ?? true;
  const cursor = (name: string): string | null =>
    states.find((s) => s.kind === "sensor" && s.name === name)?.cursor ?? null;
  return {
    schedules: await Promise.all(
      // The built-in maintenance schedule too, after the declared ones.
      definitions.allSchedules.map(async (s) => {
        const on = enabled("schedule", s.name);
        const next = on ? parseCron(s.cron, s.timezone).next(now) : undefined;
        return {
          name: s.name,
          cron: s.cron,
          timezone: s.timezone,
          selection: s.selection,
          description: s.description ?? null,
          enabled: on,
          nextTickAt: next?.toISOString() ?? null,
          lastTicks: (await store.listScheduleTicks(s.name, { limit })).map(scheduleTickView),
        };
      }),
    ),
    sensors: await Promise.all(
      definitions.sensors.map(async (s) => ({
        name: s.name,
        selection: s.selection,
        description: s.description ?? null,
        intervalMs: s.intervalMs,
        enabled: enabled("sensor", s.name),
        cursor: cursor(s.name),
        lastTicks: (await store.listSensorTicks(s.name, { limit })).map(sensorTickView),
      })),
    ),
    eager: {
      assets: definitions.eagerAssets.map((a) => ({
        key: a.key,
        enabled: enabled("eager", a.key),
      })),
      lastTicks:
        definitions.eagerAssets.length > 0
          ? (await store.listSensorTicks(EAGER_TICK_NAME, { limit })).map(sensorTickView)
          : [],
    },
  };
}

export function scheduleTickView(t: ScheduleTick): ScheduleTickView {
  return {
    scheduledAt: t.scheduledAt.toISOString(),
    status: t.status,
    runId: t.runId,
    error: t.error,
  };
}

export function sensorTickView(t: SensorTick): SensorTickView {
  return {
    id: t.id,
    status: t.status,
    runIds: t.runIds,
    message: t.message,
    cursor: t.cursor,
    createdAt: t.createdAt.toISOString(),
  };
}
