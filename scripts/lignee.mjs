#!/usr/bin/env node
// The `lignee` command of this repository (`pnpm lignee …`): builds the engine when a source
// changed since the last build (scripts/build-engine.mjs; a stale build is never run), then runs
// the built CLI in this very process, so that signals reach it.
import { pathToFileURL } from "node:url";
import { ENGINE_CLI, ensureEngineBuilt } from "./build-engine.mjs";

try {
  await ensureEngineBuilt();
} catch (error) {
  process.stderr.write(`lignee: the engine did not build: ${error?.message ?? error}\n`);
  process.exit(1);
}
await import(pathToFileURL(ENGINE_CLI).href);
