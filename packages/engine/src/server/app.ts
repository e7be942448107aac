import { existsSync } from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type Context } from "hono";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import { clip, InvalidPartitionError, UnknownAssetError, UnknownRunError } from "../errors";
import { prepareRun, statusesFor } from "../execution/launch";
import {
  confirmLimitFromEnv,
  partitionCounts,
  requireConfirmation,
} from "../planning/confirmation";
import type { PartitionRequest } from "../planning/partition-request";
import { TERMINAL_RUN_STATUSES, type RunRecord, type Storage } from "../storage/storage";
import type { BackfillStore } from "../backfill/backfill-store";
import { registerBackfillRoutes } from "./backfill-routes";
import type { AutomationStore } from "../automation/automation-store";
import { registerAutomationRoutes } from "./automation-routes";
import { streamRunEvents } from "./event-stream";
import { apiMethods } from "./allowed-methods";
import { allowHosts, requireToken, sameOriginWrites } from "./guards";
import { asBadRequest, HttpError, methodNotAllowed, toHttpError } from "./http-error";
import { jsonBody, optionalJsonBody } from "./json-body";
import { limitBodies } from "./request-limits";
import { poolsOf } from "../queue/pools";
import type { RunQueue } from "../queue/run-queue";
import { openApiDocument } from "./openapi";
import { RunManager } from "./run-manager";
import {
  MaterializationsQuery,
  PartitionSpec,
  ReexecuteBody,
  RunIdParam,
  RunRequestBody,
  RunsQuery,
} from "./schemas";
import {
  assetDetailView,
  assetGraphView,
  assetMaterializationsView,
  runView,
  stepsView,
} from "./views";

export interface AppOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
  /** Where runs' resources come from (`Definitions.resolveResources`). */
  readonly environment: ResourceEnvironment;
  /** When set, every /api call needs `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** When set, requests whose `Host` names another host are refused (see `allowHosts`). */
  readonly allowedHosts?: readonly string[];
  /**
   * The built UI (absolute, or relative to the working directory); served at / once it holds an
   * index.html.
   */
  readonly uiDir?: string;
  /**
   * When set, runs are queued for workers (`lignee worker`, or the one `lignee dev` runs)
   * instead of executing in this process, and cancellation reaches them wherever they run.
   */
  readonly queue?: { readonly queue: RunQueue; readonly maxAttempts: number };
  /** Backfills (`/api/backfills`); without it those endpoints answer 404. */
  readonly backfills?: BackfillStore;
  /** Schedules, sensors and eager automation (`/api/automation`); without it, 404. */
  readonly automation?: AutomationStore;
  /**
   * Partitions of one asset a request may materialise without `"confirm": true` (default
   * `LIGNEE_CONFIRM_PARTITIONS`, else 100); an asset's `confirmAbove` may lower it.
   */
  readonly confirmAbove?: number;
  /** How often an event stream polls storage when nothing woke it (ms). */
  readonly pollMs?: number;
  readonly log?: (message: string) => void;
}

export interface App {
  readonly app: Hono;
  readonly runs: RunManager;
}

/**
 * The HTTP API as a Hono app (no listening socket: `createServer` adds that, tests call
 * `app.request`). Runs started here execute in this process.
 *
 * @example
 * const { app } = createApp({ definitions, storage, environment: { databaseUrl, home } });
 * const res = await app.request("/api/assets");
 */
export function createApp(options: AppOptions): App {
  const { definitions, storage } = options;
  const log = options.log ?? ((m: string) => console.error(m));
  const pollMs = options.pollMs ?? 250;
  const confirmAbove = options.confirmAbove ?? confirmLimitFromEnv(process.env);
  const runs = new RunManager({
    definitions,
    storage,
    environment: options.environment,
    log,
  });
  const app = new Hono();

  app.onError((error, c) => {
    const { status, body, headers } = toHttpError(error);
    if (status === 500) log(`${c.req.method} ${c.req.path}: ${String(error)}`);
    return c.json(body, status, headers);
  });
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${clip(c.req.path)}` }, 404));

  if (options.allowedHosts !== undefined) app.use("*", allowHosts(options.allowedHosts));
  app.use("/api/*", sameOriginWrites());
  app.use("/api/*", limitBodies());
  if (options.token !== undefined) app.use("/api/*", requireToken(options.token));
  // Answers are data, never documents a browser would render or sniff.
  app.use("/api/*", async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
  });

  app.get("/api/openapi.json", (c) => c.json(openApiDocument()));

  // For health checks (e.g. docker compose): cheap, and only ok when the database answers.
  app.get("/api/health", async (c) => {
    try {
      await storage.listRuns({ limit: 1 });
    } catch (error) {
      log(`health check: the database does not answer: ${String(error)}`);
      return c.json({ error: "the database does not answer" }, 503);
    }
    return c.json({ status: "ok" as const });
  });

  app.get("/api/assets", async (c) =>
    c.json(await assetGraphView(definitions, storage, new Date())),
  );

  // Before the detail route, whose key pattern would swallow the suffix; a lazy key pattern, as a
  // greedy one never leaves the suffix to match.
  app.get("/api/assets/:key{.+?}/materializations", async (c) => {
    const query = MaterializationsQuery.parse(c.req.query());
    return c.json(await assetMaterializationsView(definitions, storage, c.req.param("key"), query));
  });

  app.get("/api/assets/:key{.+}", async (c) =>
    c.json(await assetDetailView(definitions, storage, c.req.param("key"), new Date())),
  );

  app.get("/api/runs", async (c) => {
    const query = RunsQuery.parse(c.req.query());
    if (query.asset !== undefined && !definitions.has(query.asset)) {
      throw new UnknownAssetError(query.asset);
    }
    const list = await storage.listRuns({
      limit: query.limit ?? 50,
      ...(query.status ? { status: query.status } : {}),
      ...(query.asset !== undefined ? { assetKey: query.asset } : {}),
    });
    return c.json({ runs: list.map(runView) });
  });

  app.post("/api/runs", async (c) => {
    const body = RunRequestBody.parse(await jsonBody(c));
    const started = await startRun(body.selection, partitionRequest(body), body.tags ?? {}, {
      confirmed: body.confirm === true,
    });
    return answerStarted(c, started);
  });

  app.get("/api/runs/:id", async (c) => {
    const run = await findRun(c.req.param("id"));
    return c.json({ run: runView(run), steps: stepsView(await storage.listEvents(run.id)) });
  });

  app.post("/api/runs/:id/cancel", async (c) => {
    const run = await findRun(c.req.param("id"));
    if (TERMINAL_RUN_STATUSES.includes(run.status)) {
      throw new HttpError(409, `run ${run.id} is already finished (${run.status})`);
    }
    if (options.queue) {
      const outcome = await options.queue.queue.requestCancel(run.id);
      if (outcome === undefined)
        throw new HttpError(409, `run ${run.id} finished before it could be cancelled`);
      return c.json({ runId: run.id, status: outcome }, 202);
    }
    if (!runs.cancel(run.id)) {
      throw new HttpError(409, `run ${run.id} is not executing in this server`);
    }
    return c.json({ runId: run.id, status: "CANCELING" as const }, 202);
  });

  app.post("/api/runs/:id/reexecute", async (c) => {
    const run = await findRun(c.req.param("id"));
    const body = ReexecuteBody.parse(await optionalJsonBody(c));
    const spec = PartitionSpec.safeParse(run.partitionSpec ?? { kind: "none" });
    if (!spec.success) throw new HttpError(400, `run ${run.id} has no re-executable partitions`);
    const tags = { ...run.tags, reexecutionOf: run.id };
    const started = await startRun(run.selection, spec.data, tags, {
      confirmed: body.confirm === true,
    });
    return answerStarted(c, started);
  });

  app.get("/api/runs/:id/events", async (c) => {
    const run = await findRun(c.req.param("id"));
    return streamRunEvents(c, { runId: run.id, storage, runs, pollMs });
  });

  registerBackfillRoutes(app, {
    definitions,
    confirmAbove,
    backfills: options.backfills,
    ...(options.queue ? { maxAttempts: options.queue.maxAttempts } : {}),
  });

  registerAutomationRoutes(app, { definitions, automation: options.automation });

  // Unknown API paths are JSON 404s, never the UI's fallback page; a known path asked with a
  // method it does not answer is a 405 naming the methods it does.
  const methodsOf = apiMethods(app);
  app.all("/api/*", (c) => {
    const allowed = methodsOf(c.req.path);
    if (allowed.length > 0) throw methodNotAllowed(c.req.method, c.req.path, allowed);
    throw new HttpError(404, `no route for ${c.req.method} ${clip(c.req.path)}`);
  });

  // An absolute root, so that serving does not depend on the working directory; a folder
  // without index.html (not built, or being built) counts as no UI.
  const root = options.uiDir !== undefined ? path.resolve(options.uiDir) : undefined;
  if (root !== undefined && existsSync(path.join(root, "index.html"))) {
    app.use("/*", serveStatic({ root }));
    // Client-side routes fall back to the UI's entry page.
    app.get("*", serveStatic({ root, path: "index.html" }));
  } else {
    app.get("/", (c) =>
      c.text("Lignée API is running at /api (see /api/openapi.json). The UI is not built.\n"),
    );
  }

  /**
   * Validates BEFORE anything is created: bad input, or more work than may be started without
   * confirmation, throws here and no run row exists. A request identical to a queued one is
   * answered with that run.
   */
  async function startRun(
    selection: string,
    partitions: PartitionRequest,
    tags: Record<string, string>,
    confirmation: { confirmed: boolean },
  ): Promise<{ runId: string; merged: boolean }> {
    const now = new Date();
    const request = { selection, partitions };
    const statuses = await statusesFor(definitions, storage, request, now);
    let prepared;
    try {
      prepared = prepareRun(definitions, request, now, statuses);
      requireConfirmation(definitions, partitionCounts(prepared.plan), {
        confirmed: confirmation.confirmed,
        limit: confirmAbove,
      });
    } catch (error) {
      throw asBadRequest(error);
    }
    if (options.queue) {
      return options.queue.queue.enqueueOrMerge(prepared, {
        tags,
        pools: poolsOf(definitions, prepared.assetKeys),
        maxAttempts: options.queue.maxAttempts,
      });
    }
    return { runId: await runs.start(prepared, tags), merged: false };
  }

  async function findRun(id: string): Promise<RunRecord> {
    // A malformed id cannot name a run: 404 without asking PostgreSQL (which rejects non-UUIDs).
    if (!RunIdParam.safeParse({ id }).success) throw new UnknownRunError(id);
    const run = await storage.getRun(id);
    if (!run) throw new UnknownRunError(id);
    return run;
  }

  return { app, runs };
}

/** 201 with a new run's id; 200 with the queued run's when the request was merged into it. */
function answerStarted(c: Context, started: { runId: string; merged: boolean }): Response {
  return started.merged
    ? c.json({ runId: started.runId, merged: true as const }, 200)
    : c.json({ runId: started.runId }, 201);
}

function partitionRequest(body: RunRequestBody): PartitionRequest {
  const { partition, from, to } = body;
  if (body.stale === true) {
    if (partition !== undefined || from !== undefined || to !== undefined) {
      throw new InvalidPartitionError("give either stale or partition/from/to, not both");
    }
    return { kind: "stale" };
  }
  if (partition !== undefined && (from !== undefined || to !== undefined)) {
    throw new InvalidPartitionError("give either partition or from/to, not both");
  }
  if (partition !== undefined) return { kind: "single", key: partition };
  if (from !== undefined || to !== undefined) {
    if (from === undefined || to === undefined)
      throw new InvalidPartitionError("from and to go together");
    return { kind: "range", from, to };
  }
  return { kind: "none" };
}
