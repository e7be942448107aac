import type { Hono } from "hono";
import type { z } from "zod";
import type { Definitions } from "../definitions/definitions";
import type { LoadedDefinitions, ReloadableDefinitions } from "../reload/reloadable-definitions";
import { audit } from "./auth/audit";
import { HttpError } from "./http-error";
import type { DefinitionsReloadedBody, DefinitionsStateBody } from "./schemas";

export interface DefinitionsRoutesOptions {
  /** The server's reloadable definitions; without them, the fixed ones the app was made with. */
  readonly reloadable?: ReloadableDefinitions;
  readonly definitions: Definitions<unknown>;
}

/**
 * `GET /api/definitions` (the version served, since when, a failed reload) and
 * `POST /api/definitions/reload` (load them again from their files, as `lignee dev` does when
 * they change).
 */
export function registerDefinitionsRoutes(app: Hono, options: DefinitionsRoutesOptions): void {
  const fixedSince = new Date();
  const state = (): z.output<typeof DefinitionsStateBody> => {
    const { reloadable } = options;
    if (!reloadable) {
      return {
        version: "fixed",
        loadedAt: fixedSince.toISOString(),
        reloadable: false,
        files: 0,
        assets: options.definitions.assets.length,
        error: null,
      };
    }
    return describe(reloadable.current(), reloadable);
  };

  app.get("/api/definitions", (c) => c.json(state()));

  app.post("/api/definitions/reload", async (c) => {
    const { reloadable } = options;
    if (!reloadable) {
      throw new HttpError(
        409,
        "this server's definitions are fixed: it has no module to load them from",
      );
    }
    const outcome = await reloadable.reload();
    if (!outcome.ok) {
      throw new HttpError(
        422,
        `the new definitions cannot be loaded, the previous ones keep serving: ${outcome.error?.message ?? "unknown error"}`,
      );
    }
    const body: z.output<typeof DefinitionsReloadedBody> = {
      ...describe(outcome.current, reloadable),
      changed: outcome.changed,
    };
    await audit(c, "definitions.reload", body.version, { changed: body.changed });
    return c.json(body);
  });
}

function describe(
  loaded: LoadedDefinitions,
  reloadable: ReloadableDefinitions,
): z.output<typeof DefinitionsStateBody> {
  const error = reloadable.lastError();
  return {
    version: loaded.version,
    loadedAt: loaded.loadedAt.toISOString(),
    reloadable: true,
    files: loaded.files.length,
    assets: loaded.definitions.assets.length,
    error: error ? { message: error.message, at: error.at.toISOString() } : null,
  };
}
