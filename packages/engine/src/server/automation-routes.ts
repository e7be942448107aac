import { quote } from "../errors";
import type { Hono } from "hono";
import { automationOverview, scheduleTickView } from "../automation/automation-overview";
import type { AutomationKind, AutomationStore } from "../automation/automation-store";
import type { Definitions } from "../definitions/definitions";
import { audit } from "./auth/audit";
import { HttpError } from "./http-error";
import { AutomationToggleParams, ScheduleTicksQuery } from "./schemas";

export interface AutomationRoutesOptions {
  readonly definitions: Definitions<unknown>;
  /** Without it, the automation endpoints answer 404. */
  readonly automation: AutomationStore | undefined;
}

/**
 * `/api/automation`: schedules, sensors and eager assets with their switches, next and latest
 * ticks; switching them on and off; a schedule's tick history. The scheduler
 * (`lignee scheduler`) reads the switches at its next evaluation.
 */
export function registerAutomationRoutes(app: Hono, options: AutomationRoutesOptions): void {
  const { definitions } = options;
  const store = (): AutomationStore => {
    if (!options.automation) {
      throw new HttpError(404, "automation is not available on this server");
    }
    return options.automation;
  };

  app.get("/api/automation", async (c) =>
    c.json(await automationOverview(definitions, store(), new Date())),
  );

  app.get("/api/automation/schedules/:name/ticks", async (c) => {
    const name = c.req.param("name");
    const query = ScheduleTicksQuery.parse(c.req.query());
    if (!definitions.findSchedule(name))
      throw new HttpError(404, `unknown schedule ${quote(name)}`);
    const ticks = await store().listScheduleTicks(name, {
      limit: query.limit,
      ...(query.before ? { before: query.before } : {}),
    });
    return c.json({ ticks: ticks.map(scheduleTickView) });
  });

  // An eager asset's key has slashes (emploi/fait_offre_emploi): a lazy pattern up to the action.
  for (const action of ["enable", "disable"] as const) {
    app.post(`/api/automation/:kind/:name{.+?}/${action}`, async (c) => {
      const { kind, name } = AutomationToggleParams.parse({
        kind: c.req.param("kind"),
        name: c.req.param("name"),
      });
      if (!exists(definitions, kind, name)) {
        throw new HttpError(
          404,
          `unknown ${kind === "eager" ? "eager asset" : kind} ${quote(name)}`,
        );
      }
      const state = await store().setEnabled(kind, name, action === "enable", new Date());
      await audit(c, `automation.${action}`, `${kind} ${name}`);
      return c.json({ kind, name, enabled: state.enabled });
    });
  }
}

function exists(definitions: Definitions<unknown>, kind: AutomationKind, name: string): boolean {
  switch (kind) {
    case "schedule":
      return definitions.findSchedule(name) !== undefined;
    case "sensor":
      return definitions.findSensor(name) !== undefined;
    case "eager":
      return definitions.eagerAssets.some((a) => a.key === name);
  }
}
