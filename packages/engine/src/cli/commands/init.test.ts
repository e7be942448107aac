import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Definitions } from "../../definitions/definitions";
import type { CliIo } from "../context";
import { initCommand } from "./init";

const io: CliIo = { out: () => undefined, err: () => undefined, interactive: false };
/**
 * Projects are written under the repository's .lignee/ (ignored by git), where their
 * `@lignee/engine` resolves to the workspace's engine, as it would to an installed one.
 */
const SCRATCH = fileURLToPath(new URL("../../../../../.lignee/", import.meta.url));
let dir: string;
let cwd: string;

beforeEach(async () => {
  await mkdir(SCRATCH, { recursive: true });
  dir = await mkdtemp(path.join(SCRATCH, "init-unit-"));
  cwd = process.cwd();
  process.chdir(dir);
});

afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

const manifest = async (name: string): Promise<{ dependencies: Record<string, string> }> =>
  JSON.parse(await readFile(path.join(dir, name, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };

describe("lignee init", () => {
  it("writes definitions that the engine accepts: two assets, a check, a schedule", async () => {
    const now = new Date("2025-03-30T10:00:00Z");
    expect(await initCommand("demo", {}, io, {}, now)).toBe(0);
    const file = path.join(dir, "demo", "src", "definitions.ts");
    expect(await readFile(file, "utf8")).toContain('dailyPartitions({ start: "2025-03-29" })');
    const mod = (await import(pathToFileURL(file).href)) as { default: unknown };
    const definitions = mod.default as Definitions<unknown>;
    expect(definitions).toBeInstanceOf(Definitions);
    expect([...definitions.graph.keys()].sort()).toEqual(["daily/visits", "reference/cities"]);
    expect(definitions.checks.map((c) => `${c.asset}:${c.name}`)).toEqual([
      "daily/visits:every_city_counted",
    ]);
    expect(definitions.schedules.map((s) => s.name)).toEqual(["daily_visits"]);
  });

  it("depends on the running engine's version, or on the tarball or range it is given", async () => {
    await initCommand("default", {}, io, {});
    expect((await manifest("default")).dependencies["@lignee/engine"]).toMatch(/^\^\d+\.\d+\.\d+/);
    await writeFile(path.join(dir, "engine.tgz"), "");
    await initCommand("local", { engine: "engine.tgz" }, io, {});
    expect((await manifest("local")).dependencies["@lignee/engine"]).toBe(
      `file:${path.join(dir, "engine.tgz")}`,
    );
    await initCommand("ranged", {}, io, { LIGNEE_ENGINE_SPEC: "~0.1.2" });
    expect((await manifest("ranged")).dependencies["@lignee/engine"]).toBe("~0.1.2");
    // Paths are read from the working directory, not from the new project's folder.
    await mkdir(path.join(dir, "engine-src"));
    await initCommand("folder", { engine: "./engine-src" }, io, {});
    expect((await manifest("folder")).dependencies["@lignee/engine"]).toBe(
      `file:${path.join(dir, "engine-src")}`,
    );
    await initCommand("prefixed", { engine: "file:engine.tgz" }, io, {});
    expect((await manifest("prefixed")).dependencies["@lignee/engine"]).toBe(
      `file:${path.join(dir, "engine.tgz")}`,
    );
  });

  it("refuses a link in place of the folder, writing nothing", async () => {
    await mkdir(path.join(dir, "elsewhere"));
    await symlink(path.join(dir, "elsewhere"), path.join(dir, "linked"));
    await expect(initCommand("linked", {}, io, {})).rejects.toMatchObject({
      code: "INVALID_PROJECT",
    });
    expect(await readdir(path.join(dir, "elsewhere"))).toEqual([]);
  });

  it("refuses a tarball that does not exist, writing nothing", async () => {
    await expect(initCommand("demo", { engine: "missing.tgz" }, io, {})).rejects.toMatchObject({
      code: "INVALID_PROJECT",
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
