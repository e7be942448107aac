import { mkdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { engineBuildIsStale } from "../scripts/build-engine.mjs";
import { REPO_ROOT } from "./support/cli";

/**
 * The built engine is never run stale: the test run's setup built it, and any source newer than
 * that build (an edit, a new file) makes it stale again, so that launchers rebuild it.
 */
describe("the engine's build", () => {
  it("is current after the setup's build, stale once a source is newer", async () => {
    expect(engineBuildIsStale()).toBe(false);
    const source = path.join(REPO_ROOT, "packages/engine/src/errors.ts");
    const { atime, mtime } = await stat(source);
    try {
      const later = new Date(Date.now() + 60_000);
      await utimes(source, later, later);
      expect(engineBuildIsStale()).toBe(true);
    } finally {
      await utimes(source, atime, mtime);
    }
    expect(engineBuildIsStale()).toBe(false);
  });

  it("is not made stale by Python's bytecode cache beside the Spark library", async () => {
    const folder = path.join(REPO_ROOT, "packages/engine/src/spark/python");
    const cache = path.join(folder, "__pycache__");
    const { atime, mtime } = await stat(folder);
    await mkdir(cache, { recursive: true });
    try {
      await writeFile(path.join(cache, "lignee_spark.cpython-311.pyc"), "");
      expect(engineBuildIsStale()).toBe(false);
    } finally {
      await rm(cache, { recursive: true, force: true });
      // The folder's own time back: its entries are as before.
      await utimes(folder, atime, mtime);
    }
  });
});
