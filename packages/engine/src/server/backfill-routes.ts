import type { Hono } from "hono";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import { backfillJson, backfillRunJson } from "../backfill/backfill-json";
import type { BackfillRecord, BackfillStore } from "../backfill/backfill-store";
import { launchBackfill } from "../backfill/launch-backfill";
import { backfillPartitionCounts, prepareBackfill } from "../backfill/prepare-backfill";
import { requireConfirmation } from "../planning/confirmation";
import { ESTIMATE_SAMPLE, launchPreview } from "../planning/launch-preview";
import type { Storage } from "../storage/storage";
import type { Definitions } from "../definitions/definitions";
import { UnknownBackfillError } from "../errors";
import { audit } from "./auth/audit";
import { asBadRequest, HttpError } from "./http-error";
import { jsonBody } from "./json-body";
import { BackfillIdParam, BackfillRequestBody, BackfillRunsQuery, BackfillsQuery } from "./schemas";

export interface BackfillRoutesOptions {
  readonly definitions: Definitions<unknown>;
  /** Where a preview reads the assets' measured durations. */
  readonly storage: Pick<Storage, "recentStepDurations" | "readDynamicPartitions">;
  /** Without it, the backfill endpoints answer 404. */
  readonly backfills: BackfillStore | undefined;
  /** Partitions of one asset a backfill may materialise without `"confirm": true`. */
  readonly confirmAbove: number;
  /** Tries of each run, the first included (default BACKFILL_MAX_ATTEMPTS). */
  readonly maxAttempts?: number;
}

/**
 * `/api/backfills`: create (validated first: bad input is a 400 and nothing is created), list,
 * show with progress and runs, cancel. The runs are queued for the workers.
 */
export function registerBackfillRoutes(app: Hono, options: BackfillRoutesOptions): void {
  const store = (): BackfillStore => {
    if (!options.backfills) throw new HttpError(404, "backfills are not available on this server");
    return options.backfills;
  };

  app.post("/api/backfills", async (c) => {
    const backfills = store();
    const body = BackfillRequestBody.parse(await jsonBody(c));
    const definitions = await loadDynamicPartitions(options.definitions, options.storage);
    let prepared;
    try {
      prepared = prepareBackfill(
        definitions,
        {
          selection: body.selection,
          from: body.from,
          to: body.to,
          ...(body.chunkSize !== undefined ? { chunkSize: body.chunkSize } : {}),
          ...(body.config ? { config: body.config } : {}),
        },
        new Date(),
      );
      if (body.preview === true) {
        const counts = backfillPartitionCounts(definitions, prepared);
        const durations = await options.storage.recentStepDurations(
          prepared.assetKeys,
          ESTIMATE_SAMPLE,
        );
        const preview = launchPreview(definitions, counts, [], durations, {
          limit: options.confirmAbove,
        });
        return c.json({ preview: true as const, ...preview });
      }
      requireConfirmation(definitions, backfillPartitionCounts(definitions, prepared), {
        confirmed: body.confirm === true,
        limit: options.confirmAbove,
      });
    } catch (error) {
      throw asBadRequest(error);
    }
    const backfill = await launchBackfill(backfills, prepared, {
      tags: body.tags ?? {},
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
    await audit(c, "backfill.launch", backfill.id, {
      selection: body.selection,
      partitions: { from: body.from, to: body.to },
    });
    return c.json({ backfillId: backfill.id, totalChunks: backfill.totalChunks }, 201);
  });

  app.get("/api/backfills", async (c) => {
    const query = BackfillsQuery.parse(c.req.query());
    const list = await store().listBackfills({
      limit: query.limit ?? 50,
      ...(query.status ? { status: query.status } : {}),
    });
    return c.json({ backfills: list.map(backfillJson) });
  });

  app.get("/api/backfills/:id", async (c) => {
    const backfill = await find(c.req.param("id"));
    const query = BackfillRunsQuery.parse(c.req.query());
    const runs = await store().listRuns(backfill.id, query);
    return c.json({ backfill: backfillJson(backfill), runs: runs.map(backfillRunJson) });
  });

  app.post("/api/backfills/:id/cancel", async (c) => {
    const backfill = await find(c.req.param("id"));
    const outcome = await store().cancel(backfill.id);
    if (!outcome) throw new UnknownBackfillError(backfill.id);
    if (outcome.kind === "finished") {
      throw new HttpError(409, `backfill ${backfill.id} is already finished (${outcome.status})`);
    }
    await audit(c, "backfill.cancel", backfill.id);
    return c.json({
      backfillId: backfill.id,
      status: "CANCELED" as const,
      canceledRuns: outcome.canceledRuns,
      cancelingRuns: outcome.cancelingRuns,
    });
  });

  async function find(id: string): Promise<BackfillRecord> {
    const backfills = store();
    // A malformed id cannot name a backfill: 404 without asking the database.
    if (!BackfillIdParam.safeParse({ id }).success) throw new UnknownBackfillError(id);
    const backfill = await backfills.getBackfill(id);
    if (!backfill) throw new UnknownBackfillError(id);
    return backfill;
  }
}
