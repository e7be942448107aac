import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "@lignee/engine";
import { ensureEngineBuilt } from "../../scripts/build-engine.mjs";
import { freePort } from "./free-port";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of a real PostgreSQL server's maintenance database, for creating per-test databases. */
    pgAdminUrl: string;
  }
}

/**
 * One real PostgreSQL for the whole test run: DATABASE_URL when set (any PostgreSQL 14+),
 * otherwise an embedded server in a temporary directory. Each test file creates its own
 * database on it (see `database.ts`). First, the engine is built again if its sources changed
 * since the last build: the end-to-end tests run the built CLI, as users do.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  await ensureEngineBuilt();
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/postgres";
    project.provide("pgAdminUrl", url.toString());
    return async () => undefined;
  }
  const dir = await mkdtemp(path.join(tmpdir(), "lignee-test-pg-"));
  // As root the server runs as the postgres user, which must be able to reach its data directory.
  await chmod(dir, 0o755);
  const port = await freePort();
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port });
  const url = new URL(db.url);
  url.pathname = "/postgres";
  project.provide("pgAdminUrl", url.toString());
  return async () => {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
