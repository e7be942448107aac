import type { Hono } from "hono";
import type { Definitions } from "../definitions/definitions";
import { partitionRequestFromFields } from "../planning/partition-request";
import type { Storage } from "../storage/storage";
import { assetChecksView, checkEvaluationView, requireCheck } from "./check-view";
import { audit, partitionsAsked } from "./auth/audit";
import { launchedByOf, principalOf } from "./auth/principal";
import { jsonBody } from "./json-body";
import { CheckHistoryQuery, CheckRunRequestBody, CheckSwitchBody } from "./schemas";
import { answerStarted, type StartRun } from "./start-run";

export interface CheckRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  readonly startRun: StartRun;
}

/**
 * Asset checks: an asset's checks with their switches and latest results, one check's history
 * (per partition, paged), switching a check off and on, and runs that only evaluate checks.
 * Registered before the asset routes, whose `/api/assets/{key}` would take these paths.
 */
export function registerCheckRoutes(app: Hono, options: CheckRoutesOptions): void {
  const { definitions, storage } = options;

  app.get("/api/assets/:key{.+?}/checks/:name/history", async (c) => {
    const assetKey = c.req.param("key");
    const name = c.req.param("name");
    const query = CheckHistoryQuery.parse(c.req.query());
    await requireCheck(definitions, storage, assetKey, name);
    const results = await storage.checkHistory({
      assetKey,
      checkName: name,
      limit: query.limit,
      ...(query.partition !== undefined ? { partitionKey: query.partition } : {}),
      ...(query.before !== undefined ? { beforeId: query.before } : {}),
    });
    const last = results[results.length - 1];
    return c.json({
      results: results.map(checkEvaluationView),
      nextBefore: results.length === query.limit && last ? last.id : null,
    });
  });

  app.get("/api/assets/:key{.+?}/checks", async (c) =>
    c.json(await assetChecksView(definitions, storage, c.req.param("key"))),
  );

  app.put("/api/assets/:key{.+?}/checks/:name", async (c) => {
    const assetKey = c.req.param("key");
    const name = c.req.param("name");
    const body = CheckSwitchBody.parse(await jsonBody(c));
    await requireCheck(definitions, storage, assetKey, name);
    // As the CLI writes `cli:<OS user>`: who switched it, when the API knows.
    const by = principalOf(c)?.name;
    const sw = await storage.setCheckEnabled({
      assetKey,
      checkName: name,
      enabled: body.enabled,
      updatedBy: by ? `api:${by}` : "api",
    });
    await audit(c, sw.enabled ? "check.enable" : "check.disable", `${assetKey} ${name}`);
    return c.json({ assetKey, name, enabled: sw.enabled });
  });

  app.post("/api/checks/run", async (c) => {
    const body = CheckRunRequestBody.parse(await jsonBody(c));
    const started = await options.startRun(
      body.selection,
      partitionRequestFromFields(body),
      body.tags ?? {},
      { confirmed: body.confirm === true },
      launchedByOf(c),
      { checksOnly: true },
    );
    if (!started.merged) {
      await audit(c, "check.run", started.runId, {
        selection: body.selection,
        partitions: partitionsAsked(body),
      });
    }
    return answerStarted(c, started);
  });
}
