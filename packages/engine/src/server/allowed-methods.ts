import type { Hono } from "hono";
import { TrieRouter } from "hono/router/trie-router";

/**
 * Which methods the API's routes answer on a path, read from the app's own route table with
 * Hono's path matching, so that a route added later is covered without being listed again.
 * Middleware and catch-alls (method ALL) and routes outside /api (the UI's files) are not
 * routes of the API. `GET` routes answer `HEAD` too (Hono serves it from them).
 *
 * @example
 * const allowed = apiMethods(app); // once every route is registered
 * allowed("/api/runs"); // ["GET", "HEAD", "POST"]
 * allowed("/api/nope"); // []
 */
export function apiMethods(app: Hono): (path: string) => string[] {
  let router: TrieRouter<string> | undefined;
  let methods: string[] = [];
  return (path) => {
    if (router === undefined) {
      // Built at the first call: by then every route is registered.
      const routes = app.routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/api/"));
      router = new TrieRouter<string>();
      for (const r of routes) router.add(r.method, r.path, r.method);
      methods = [...new Set(routes.map((r) => r.method))];
    }
    const built = router;
    const allowed = new Set(methods.filter((m) => built.match(m, path)[0].length > 0));
    if (allowed.has("GET")) allowed.add("HEAD");
    return [...allowed].sort();
  };
}
