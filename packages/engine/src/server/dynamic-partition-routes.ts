import type { Context, Hono } from "hono";
import type { Definitions } from "../definitions/definitions";
import { loadDynamicPartitions } from "../storage/dynamic-partitions/load-dynamic-partitions";
import type { Storage } from "../storage/storage";
import { audit } from "./auth/audit";
import { jsonBody } from "./json-body";
import { DynamicPartitionKeysRequestBody } from "./schemas";

export interface DynamicPartitionRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly storage: Pick<
    Storage,
    "readDynamicPartitions" | "addDynamicPartitions" | "removeDynamicPartitions"
  >;
}

/**
 * `/api/partitions`: the dynamic partitions sets the assets declare, their keys, and adding or
 * removing keys. An unknown set is a 404; a bad key (empty, too long, given twice, already there
 * when adding, absent when removing) is a 400 and changes nothing.
 */
export function registerDynamicPartitionRoutes(
  app: Hono,
  options: DynamicPartitionRoutesOptions,
): void {
  const { definitions, storage } = options;
  const assetsOf = (name: string): string[] =>
    definitions.assets
      .filter((a) => a.partitions?.kind === "dynamic" && a.partitions.name === name)
      .map((a) => a.key);
  const keysOf = async (name: string) => {
    const loaded = await storage.readDynamicPartitions([name]);
    const keys = loaded.dynamicPartitionKeys(name);
    return [...keys.indices].map((index) => ({ key: keys.keyOf(index)!, index }));
  };

  app.get("/api/partitions", async (c) => {
    const loaded = await loadDynamicPartitions(definitions, storage);
    return c.json({
      sets: loaded.dynamicPartitionsNames.map((name) => {
        const asset = loaded.assets.find(
          (a) => a.partitions?.kind === "dynamic" && a.partitions.name === name,
        );
        const keys = asset?.partitions?.kind === "dynamic" ? asset.partitions.loaded : undefined;
        return { name, assets: assetsOf(name), keyCount: keys?.indices.size ?? 0 };
      }),
    });
  });

  app.get("/api/partitions/:name/keys", async (c) => {
    const name = c.req.param("name");
    definitions.requireDynamicPartitionsSet(name);
    return c.json({ name, assets: assetsOf(name), keys: await keysOf(name) });
  });

  app.post("/api/partitions/:name/keys", async (c) => {
    const name = c.req.param("name");
    definitions.requireDynamicPartitionsSet(name);
    const body = DynamicPartitionKeysRequestBody.parse(await jsonBody(c));
    const { added } = await storage.addDynamicPartitions(name, body.keys);
    await audit(c, "partitions.add", name, { keys: [...added] });
    return c.json({ name, added: [...added] }, 201);
  });

  const remove = async (c: Context, keys: readonly string[]) => {
    const name = c.req.param("name")!;
    definitions.requireDynamicPartitionsSet(name);
    const removed = await storage.removeDynamicPartitions(name, keys);
    await audit(c, "partitions.remove", name, { keys: [...removed] });
    return c.json({ name, removed: [...removed] }, 200);
  };
  app.delete("/api/partitions/:name/keys", async (c) => {
    const name = c.req.param("name");
    definitions.requireDynamicPartitionsSet(name);
    const body = DynamicPartitionKeysRequestBody.parse(await jsonBody(c));
    return remove(c, body.keys);
  });
  app.delete("/api/partitions/:name/keys/:key", async (c) => remove(c, [c.req.param("key")]));
}
