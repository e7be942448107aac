import type { Hono } from "hono";
import type { Definitions } from "../definitions/definitions";
import { UnknownAssetError } from "../errors";
import { partitionRequestFromFields, readPartitionRequest } from "../planning/partition-request";
import type { RunQueue } from "../queue/run-queue";
import { parseRunIdPrefix } from "../storage/runs/id-prefix";
import { TERMINAL_RUN_STATUSES, type Storage } from "../storage/storage";
import { audit, partitionsAsked } from "./auth/audit";
import { launchedByOf } from "./auth/principal";
import { findRun } from "./find-run";
import { HttpError } from "./http-error";
import { jsonBody, optionalJsonBody } from "./json-body";
import type { RunManager } from "./run-manager";
import { ReexecuteBody, RunRequestBody, RunsQuery } from "./schemas";
import { answerStarted, type PreviewRun, type StartRun } from "./start-run";
import { runListItemView, runView, stepsView } from "./views";
import { isMaintenanceRun } from "../definitions/maintenance";
import type { StartMaintenance } from "./start-maintenance";

export interface RunRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  readonly runs: RunManager;
  readonly queue: { readonly queue: RunQueue } | undefined;
  readonly startRun: StartRun;
  readonly previewRun: PreviewRun;
  /** Re-executing a maintenance run starts the maintenance job again. */
  readonly startMaintenance?: StartMaintenance;
}

/** `/api/runs`: list, launch, show with steps, cancel, re-execute. */
export function registerRunRoutes(app: Hono, options: RunRoutesOptions): void {
  const { definitions, storage, runs, startRun } = options;

  app.get("/api/runs", async (c) => {
    const query = RunsQuery.parse(c.req.query());
    if (query.asset !== undefined && !definitions.has(query.asset)) {
      throw new UnknownAssetError(query.asset);
    }
    const list = await storage.listRuns({
      limit: query.limit ?? 50,
      ...(query.status ? { status: query.status } : {}),
      ...(query.asset !== undefined ? { assetKey: query.asset } : {}),
      ...(query.idPrefix !== undefined ? { idPrefix: parseRunIdPrefix(query.idPrefix) } : {}),
    });
    return c.json({ runs: list.map(runListItemView) });
  });

  app.post("/api/runs", async (c) => {
    const body = RunRequestBody.parse(await jsonBody(c));
    const partitions = partitionRequestFromFields(body);
    if (body.preview === true) {
      return c.json({
        preview: true as const,
        ...(await options.previewRun(body.selection, partitions, body.config)),
      });
    }
    const started = await startRun(
      body.selection,
      partitions,
      body.tags ?? {},
      { confirmed: body.confirm === true },
      launchedByOf(c),
      body.config ? { config: body.config } : {},
    );
    if (!started.merged) {
      await audit(c, "run.launch", started.runId, {
        selection: body.selection,
        partitions: partitionsAsked(body),
      });
    }
    return answerStarted(c, started);
  });

  app.get("/api/runs/:id", async (c) => {
    const run = await findRun(storage, c.req.param("id"));
    return c.json({ run: runView(run), steps: stepsView(await storage.listEvents(run.id)) });
  });

  app.post("/api/runs/:id/cancel", async (c) => {
    const run = await findRun(storage, c.req.param("id"));
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      throw new HttpError(409, `run ${run.id} is already finished (${run.status})`);
    }
    if (options.queue) {
      const outcome = await options.queue.queue.requestCancel(run.id);
      if (outcome === undefined)
        throw new HttpError(409, `run ${run.id} finished before it could be cancelled`);
      await audit(c, "run.cancel", run.id);
      return c.json({ runId: run.id, status: outcome }, 202);
    }
    if (!runs.cancel(run.id)) {
      throw new HttpError(409, `run ${run.id} is not executing in this server`);
    }
    await audit(c, "run.cancel", run.id);
    return c.json({ runId: run.id, status: "CANCELING" as const }, 202);
  });

  app.post("/api/runs/:id/reexecute", async (c) => {
    const run = await findRun(storage, c.req.param("id"));
    const body = ReexecuteBody.parse(await optionalJsonBody(c));
    if (isMaintenanceRun(run.tags) && options.startMaintenance) {
      const runId = await options.startMaintenance({ kind: "reexecution", detail: run.id });
      await audit(c, "run.reexecute", runId, { of: run.id });
      return c.json({ runId }, 201);
    }
    const partitions = readPartitionRequest(run.partitionSpec);
    if (!partitions) throw new HttpError(400, `run ${run.id} has no re-executable partitions`);
    // A re-execution is an explicit request: it keeps the run's own tags but not the trigger of
    // automation, so it is not held by checks that failed before it (as automation's runs are).
    const { trigger: _trigger, ...kept } = run.tags;
    const tags = { ...kept, reexecutionOf: run.id };
    // The run's own config, as it was validated then (defaults included), validated again; or
    // the one the request gives, when the schemas have changed since.
    const started = await startRun(
      run.selection,
      partitions,
      tags,
      { confirmed: body.confirm === true },
      { kind: "reexecution", detail: run.id },
      body.config ? { config: body.config } : { config: run.config, configStored: true },
    );
    if (!started.merged) await audit(c, "run.reexecute", started.runId, { of: run.id });
    return answerStarted(c, started);
  });
}
