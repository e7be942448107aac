import { createRequire } from "node:module";
import type * as PromClient from "prom-client";

let loaded: typeof PromClient | undefined;

/**
 * prom-client, loaded on first use: the processes that export no metrics (most CLI commands,
 * every definitions module importing the engine) never pay for loading it.
 */
export function prom(): typeof PromClient {
  return (loaded ??= createRequire(import.meta.url)("prom-client") as typeof PromClient);
}
