import { existsSync } from "node:fs";
import path from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono } from "hono";

/**
 * The built UI at / (registered last: its fallback answers every path no route took), or a
 * line saying where the API is when `uiDir` holds no index.html (not built, or being built).
 */
export function registerUiRoutes(app: Hono, uiDir: string | undefined): void {
  // An absolute root, so that serving does not depend on the working directory.
  const root = uiDir !== undefined ? path.resolve(uiDir) : undefined;
  if (root !== undefined && existsSync(path.join(root, "index.html"))) {
    app.use("/*", serveStatic({ root }));
    // Client-side routes fall back to the UI's entry page.
    app.get("*", serveStatic({ root, path: "index.html" }));
    return;
  }
  app.get("/", (c) =>
    c.text(
      "Lignée API is running at /api (see /api/openapi.json). The UI is not built: from the " +
        "repository root, run `pnpm --filter @lignee/ui build` and reload (or set LIGNEE_UI_DIR " +
        "to a built UI).\n",
    ),
  );
}
