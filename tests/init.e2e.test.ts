import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lignee } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { exec, npm, packedEngine } from "./support/package";
import { waitFor } from "./support/wait";

/**
 * `lignee init NAME` writes a project that works as it is: installed with npm (its engine the
 * packed package), the installed `lignee` materialises every asset of its definitions (one
 * partition of the daily one), which status then reports FRESH, `lignee dev` serves its API and
 * UI, and tsc checks its definitions against the engine's declarations. Bad names and folders
 * that are not empty are refused and nothing is written.
 */
let root: string;
let project: string;
let env: Record<string, string>;

beforeAll(async () => {
  const tarball = await packedEngine();
  root = await mkdtemp(path.join(tmpdir(), "lignee-init-"));
  const init = await lignee(["init", "demo"], { LIGNEE_ENGINE_SPEC: tarball }, undefined, root);
  expect(init.code, init.stderr).toBe(0);
  project = path.join(root, "demo");
  await npm(["install"], project);
  env = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
}, 600_000);

afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

interface StatusJson {
  assets: { key: string; status: string; counts: Record<string, number> }[];
}

const npx = (args: readonly string[]) =>
  exec("npx", ["--no", "--", ...args], { cwd: project, env });

describe("lignee init", { timeout: 300_000 }, () => {
  it("writes a project whose every asset npx lignee materialises, then reports FRESH", async () => {
    expect((await readdir(project)).sort()).toEqual([
      ".gitignore",
      "README.md",
      "node_modules",
      "package-lock.json",
      "package.json",
      "src",
      "tsconfig.json",
    ]);
    const before = JSON.parse((await npx(["lignee", "status", "--json"])).stdout) as StatusJson;
    const visits = before.assets.find((a) => a.key === "daily/visits");
    // A daily asset starting the day before the project was created: one partition (two once
    // the day has turned in Paris meanwhile).
    expect(visits?.counts.MISSING).toBeGreaterThanOrEqual(1);
    expect(visits?.counts.MISSING).toBeLessThanOrEqual(2);

    const run = await npx(["lignee", "materialize", "--select", "*", "--stale"]);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const after = JSON.parse((await npx(["lignee", "status", "--json"])).stdout) as StatusJson;
    expect(after.assets.map((a) => [a.key, a.status]).sort()).toEqual([
      ["daily/visits", "FRESH"],
      ["reference/cities", "FRESH"],
    ]);
  });

  it("type-checks its definitions against the installed engine", async () => {
    const tsc = await npx(["tsc"]);
    expect(tsc.code, tsc.stdout).toBe(0);
  });

  it("serves the API and the packaged UI with npx lignee dev, until stopped", async () => {
    const child = spawn("npx", ["--no", "--", "lignee", "dev", "--port", "0", "--no-scheduler"], {
      cwd: project,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const url = await waitFor(
        "lignee dev's URL",
        async () => /serving on (http:\/\/\S+?) /.exec(output)?.[1],
        120_000,
      );
      const assets = await fetch(`${url}/api/assets`);
      expect(assets.status, output).toBe(200);
      const graph = (await assets.json()) as { nodes: { key: string; status: string }[] };
      expect(graph.nodes.map((n) => [n.key, n.status]).sort()).toEqual([
        ["daily/visits", "FRESH"],
        ["reference/cities", "FRESH"],
      ]);
      const page = await fetch(`${url}/assets/daily/visits`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await exited;
    }
  });

  it("refuses an invalid name and a folder that is not empty, writing nothing (exit 2)", async () => {
    for (const name of ["Demo", "../escape", "a b", ".hidden", "node_modules"]) {
      const r = await lignee(["init", name], {}, undefined, root);
      expect(r.code, `${name}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain("not a valid project name");
    }
    await mkdir(path.join(root, "taken"));
    await writeFile(path.join(root, "taken", "notes.txt"), "mine\n");
    const taken = await lignee(["init", "taken"], {}, undefined, root);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("is not empty");
    expect(await readdir(path.join(root, "taken"))).toEqual(["notes.txt"]);
    expect((await readdir(root)).sort()).toEqual(["demo", "taken"]);

    await mkdir(path.join(root, "empty"));
    const empty = await lignee(["init", "empty"], {}, undefined, root);
    expect(empty.code, empty.stderr).toBe(0);
    expect((await readdir(path.join(root, "empty"))).length).toBeGreaterThan(0);
  });
});
