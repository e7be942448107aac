import type { Hono } from "hono";
import type { AutomationStore } from "../automation/automation-store";
import type { Definitions, ResourceEnvironment } from "../definitions/definitions";
import { runMaintenance } from "../maintenance/run-maintenance";
import { connectPool } from "../storage/transaction";
import { audit } from "./auth/audit";
import { launchedByOf } from "./auth/principal";
import { operationsView } from "./operations-view";
import type { StartMaintenance } from "./start-maintenance";

export interface OperationsRoutesOptions {
  readonly definitions: Definitions<unknown>;
  readonly environment: ResourceEnvironment;
  readonly automation: AutomationStore | undefined;
  readonly startMaintenance: StartMaintenance;
}

/**
 * `/api/operations`: disk use and the maintenance job (`GET`), what maintenance would do now
 * (`GET …/maintenance/preview`, a dry run) and running it (`POST …/maintenance`: queued for the
 * workers, or executed in this process by a server without a queue).
 */
export function registerOperationsRoutes(app: Hono, options: OperationsRoutesOptions): void {
  const { definitions, environment } = options;
  const withPool = async <T>(work: (pool: ReturnType<typeof connectPool>) => Promise<T>) => {
    const pool = connectPool(environment.databaseUrl, 2);
    try {
      return await work(pool);
    } finally {
      await pool.end();
    }
  };

  app.get("/api/operations", async (c) =>
    c.json(
      await withPool((pool) => operationsView(definitions, pool, options.automation, new Date())),
    ),
  );

  app.get("/api/operations/maintenance/preview", async (c) =>
    c.json(
      await withPool((pool) =>
        runMaintenance({ pool, config: definitions.maintenance, dryRun: true }),
      ),
    ),
  );

  app.post("/api/operations/maintenance", async (c) => {
    const runId = await options.startMaintenance(launchedByOf(c));
    await audit(c, "maintenance.launch", runId);
    return c.json({ runId }, 201);
  });
}
