import type { Hono } from "hono";
import type { Storage } from "../storage/storage";
import { openApiDocument } from "./openapi";

export interface HealthRoutesOptions {
  readonly storage: Storage;
  readonly log: (message: string) => void;
}

/** `/api/openapi.json` (the API described) and `/api/health` (is the database answering). */
export function registerHealthRoutes(app: Hono, options: HealthRoutesOptions): void {
  const { storage, log } = options;

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
}
