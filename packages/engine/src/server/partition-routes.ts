import type { Hono } from "hono";
import type { Definitions } from "../definitions/definitions";
import type { Storage } from "../storage/storage";
import { partitionDetailView } from "./partition-view";

export interface PartitionRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
}

/**
 * `/api/assets/{key}/partitions/{partition}`: one partition's status, causes, latest
 * materialisation and its run, history and checks. Registered before the asset detail route,
 * whose key pattern would swallow the suffix.
 */
export function registerPartitionRoutes(app: Hono, options: PartitionRoutesOptions): void {
  const { definitions, storage } = options;
  app.get("/api/assets/:key{.+?}/partitions/:partition{.+}", async (c) =>
    c.json(
      await partitionDetailView(
        definitions,
        storage,
        c.req.param("key"),
        c.req.param("partition"),
        new Date(),
      ),
    ),
  );
}
