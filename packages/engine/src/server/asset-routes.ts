import type { Hono } from "hono";
import type { Definitions } from "../definitions/definitions";
import type { Storage } from "../storage/storage";
import { registerPartitionRoutes } from "./partition-routes";
import { MaterializationsQuery } from "./schemas";
import { assetDetailView, assetGraphView, assetMaterializationsView } from "./views";

export interface AssetRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Storage;
}

/** `/api/assets`: the graph with statuses, an asset's detail, its materialisations. */
export function registerAssetRoutes(app: Hono, options: AssetRoutesOptions): void {
  const { definitions, storage } = options;

  app.get("/api/assets", async (c) =>
    c.json(await assetGraphView(definitions, storage, new Date())),
  );

  // Before the detail route, whose key pattern would swallow the suffix; a lazy key pattern, as a
  // greedy one never leaves the suffix to match.
  app.get("/api/assets/:key{.+?}/materializations", async (c) => {
    const query = MaterializationsQuery.parse(c.req.query());
    return c.json(await assetMaterializationsView(definitions, storage, c.req.param("key"), query));
  });

  registerPartitionRoutes(app, { definitions, storage });

  app.get("/api/assets/:key{.+}", async (c) =>
    c.json(await assetDetailView(definitions, storage, c.req.param("key"), new Date())),
  );
}
