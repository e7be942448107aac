import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DefinitionsReloaded, DefinitionsState } from "@lignee/engine/wire";
import { ligneeCommand, startLigneeDev, type DevServer } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { waitFor } from "./support/wait";

/**
 * Definitions loaded again while the platform runs (Dagster's "reload code location"): `lignee
 * dev` follows its files; an invalid change keeps the previous definitions serving and says
 * why; a run in flight finishes on the definitions it started with; `POST
 * /api/definitions/reload` does the same on demand; a separate worker follows the server's
 * reload.
 */
let databaseUrl: string;
let project: string;
let defs: string;
const stops: (() => Promise<unknown>)[] = [];

/** A definitions file: the assets named, each writing `tag` to `<key>.out`; `slow` waits. */
function definitionsFile(keys: readonly string[], tag: string): string {
  return `
import { existsSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { Definitions, defineAsset } from "@lignee/engine";

const dir = ${JSON.stringify(project)};
export default Definitions.create({
  assets: ${JSON.stringify(keys)}.map((key) =>
    defineAsset({
      key,
      async materialize() {
        if (key === "slow") {
          writeFileSync(dir + "/slow.started", "");
          while (!existsSync(dir + "/release")) await sleep(50);
        }
        writeFileSync(dir + "/" + key + ".out", ${JSON.stringify(tag)});
        return {};
      },
    }),
  ),
});
`;
}

const getJson = async <T>(url: string): Promise<T> => (await (await fetch(url)).json()) as T;
const assetKeys = async (base: string): Promise<string[]> =>
  (await getJson<{ nodes: { key: string }[] }>(`${base}/api/assets`)).nodes
    .map((n) => n.key)
    .sort();

async function materialize(base: string, selection: string): Promise<string> {
  const res = await fetch(`${base}/api/runs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ selection }),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return ((await res.json()) as { runId: string }).runId;
}

async function runEnded(
  base: string,
  runId: string,
): Promise<{ status: string; error: string | null }> {
  return waitFor(`run ${runId} to end`, async () => {
    const { run } = await getJson<{ run: { status: string; error: string | null } }>(
      `${base}/api/runs/${runId}`,
    );
    return ["SUCCESS", "FAILURE", "CANCELED"].includes(run.status) ? run : undefined;
  });
}

async function dev(devArgs: readonly string[] = ["--no-scheduler"]): Promise<DevServer> {
  const server = await startLigneeDev(
    ["--definitions", defs],
    { DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "" },
    { devArgs },
  );
  stops.push(() => server.stop());
  return server;
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase();
});

afterEach(async () => {
  while (stops.length > 0) await stops.pop()!();
  await rm(project, { recursive: true, force: true });
});

afterAll(async () => {
  while (stops.length > 0) await stops.pop()!();
});

async function newProject(keys: readonly string[], tag = "v1"): Promise<void> {
  project = await mkdtemp(path.join(tmpdir(), "lignee-reload-"));
  defs = path.join(project, "definitions.ts");
  await writeFile(defs, definitionsFile(keys, tag));
}

describe("lignee dev reloads its definitions", () => {
  it("when a file changes, and keeps the previous ones while the new ones are invalid", async () => {
    await newProject(["alpha"]);
    const server = await dev();
    const first = await getJson<DefinitionsState>(`${server.url}/api/definitions`);
    expect(first).toMatchObject({ reloadable: true, assets: 1, error: null });
    expect(await assetKeys(server.url)).toEqual(["alpha"]);

    await writeFile(defs, definitionsFile(["alpha", "beta"], "v1"));
    await waitFor("beta to appear", async () =>
      (await assetKeys(server.url)).includes("beta") ? true : undefined,
    );
    const second = await getJson<DefinitionsState>(`${server.url}/api/definitions`);
    expect(second.version).not.toBe(first.version);
    expect(Date.parse(second.loadedAt)).toBeGreaterThan(Date.parse(first.loadedAt));
    expect(server.output()).toMatch(/definitions reloaded \(version \w+\): 2 asset\(s\)/);

    // Invalid: does not compile. The previous definitions keep serving; the error is shown.
    await writeFile(defs, "export default {;\n");
    const failed = await waitFor("the reload error", async () => {
      const s = await getJson<DefinitionsState>(`${server.url}/api/definitions`);
      return s.error ? s : undefined;
    });
    expect(failed.error!.message).toMatch(/definitions\.ts does not compile/);
    expect(failed.version).toBe(second.version);
    expect(await assetKeys(server.url)).toEqual(["alpha", "beta"]);
    expect(server.output()).toMatch(/definitions not reloaded, the previous ones keep serving/);
    // The platform still works on them.
    expect((await runEnded(server.url, await materialize(server.url, "beta"))).status).toBe(
      "SUCCESS",
    );

    // Invalid: compiles, but the definitions are wrong (an asset defined twice).
    await writeFile(defs, definitionsFile(["alpha", "alpha"], "v1"));
    const refused = await waitFor("the second reload error", async () => {
      const s = await getJson<DefinitionsState>(`${server.url}/api/definitions`);
      // (A save may show an intermediate state first: an empty file exports nothing.)
      return s.error && /duplicate/i.test(s.error.message) ? s : undefined;
    });
    expect(refused.error!.message).toMatch(/alpha/);
    expect(await assetKeys(server.url)).toEqual(["alpha", "beta"]);

    // Fixed: loaded, and the error is gone.
    await writeFile(defs, definitionsFile(["alpha", "gamma"], "v1"));
    const fixed = await waitFor("the fixed definitions", async () => {
      const s = await getJson<DefinitionsState>(`${server.url}/api/definitions`);
      return s.error === null && s.version !== second.version ? s : undefined;
    });
    expect(fixed.assets).toBe(2);
    expect(await assetKeys(server.url)).toEqual(["alpha", "gamma"]);
  });

  it("when a file the definitions import changes, or appears after a failed load", async () => {
    project = await mkdtemp(path.join(tmpdir(), "lignee-reload-"));
    defs = path.join(project, "definitions.ts");
    const importing = (module: string) => `
import { Definitions, defineAsset } from "@lignee/engine";
import { KEYS } from "./${module}";
export default Definitions.create({
  assets: KEYS.map((key: string) => defineAsset({ key, async materialize() { return {}; } })),
});
`;
    await writeFile(path.join(project, "keys.ts"), 'export const KEYS = ["alpha"];\n');
    await writeFile(defs, importing("keys"));
    const server = await dev();
    expect(await assetKeys(server.url)).toEqual(["alpha"]);

    await writeFile(path.join(project, "keys.ts"), 'export const KEYS = ["alpha", "beta"];\n');
    await waitFor("the imported file's change", async () =>
      (await assetKeys(server.url)).includes("beta") ? true : undefined,
    );

    // An import of a file not written yet: the load fails; writing the file is enough.
    await writeFile(defs, importing("more-keys"));
    await waitFor("the failed load", async () =>
      (await getJson<DefinitionsState>(`${server.url}/api/definitions`)).error ? true : undefined,
    );
    await writeFile(path.join(project, "more-keys.ts"), 'export const KEYS = ["gamma"];\n');
    await waitFor("the file that appeared", async () =>
      (await assetKeys(server.url)).join() === "gamma" ? true : undefined,
    );
  });

  it("when a file they declare they read changes (Definitions' watch)", async () => {
    project = await mkdtemp(path.join(tmpdir(), "lignee-reload-"));
    defs = path.join(project, "definitions.ts");
    const keysFile = path.join(project, "models", "keys.json");
    await mkdir(path.dirname(keysFile));
    await writeFile(keysFile, JSON.stringify(["alpha"]));
    await writeFile(
      defs,
      `
import { readFileSync } from "node:fs";
import { Definitions, defineAsset } from "@lignee/engine";
const keys: string[] = JSON.parse(readFileSync(${JSON.stringify(keysFile)}, "utf8"));
export default Definitions.create({
  assets: keys.map((key) => defineAsset({ key, async materialize() { return {}; } })),
  watch: [${JSON.stringify(path.dirname(keysFile))}],
});
`,
    );
    const server = await dev();
    expect(await assetKeys(server.url)).toEqual(["alpha"]);
    await writeFile(keysFile, JSON.stringify(["alpha", "delta"]));
    await waitFor("the watched file's change", async () =>
      (await assetKeys(server.url)).includes("delta") ? true : undefined,
    );
  });

  it("while a run is in flight: it finishes on the definitions it started with", async () => {
    await newProject(["slow"], "v1");
    const server = await dev();
    const inFlight = await materialize(server.url, "slow");
    await waitFor("the run to start", async () =>
      existsSync(path.join(project, "slow.started")) ? true : undefined,
    );

    await writeFile(defs, definitionsFile(["slow", "other"], "v2"));
    await waitFor("the new definitions", async () =>
      (await assetKeys(server.url)).includes("other") ? true : undefined,
    );
    await writeFile(path.join(project, "release"), "");
    expect((await runEnded(server.url, inFlight)).status).toBe("SUCCESS");
    expect(await readFile(path.join(project, "slow.out"), "utf8")).toBe("v1");

    // A run started now uses the new definitions.
    expect((await runEnded(server.url, await materialize(server.url, "slow"))).status).toBe(
      "SUCCESS",
    );
    expect(await readFile(path.join(project, "slow.out"), "utf8")).toBe("v2");
  });
});

describe("lignee dev's scheduler", () => {
  it("evaluates a sensor that a reload adds", async () => {
    await newProject(["alpha"]);
    const server = await startLigneeDev(
      ["--definitions", defs],
      { DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "", LIGNEE_SCHEDULER_INTERVAL_MS: "200" },
      { devArgs: [] },
    );
    stops.push(() => server.stop());
    const text = definitionsFile(["alpha"], "v2").replace(
      "export default Definitions.create({",
      `export default Definitions.create({
  sensors: [
    defineSensor({
      name: "added",
      selection: "alpha",
      intervalMs: 100,
      evaluate: () => ({ runRequests: [{ runKey: "once" }] }),
    }),
  ],`,
    );
    await writeFile(defs, text.replace("defineAsset }", "defineAsset, defineSensor }"));
    const run = await waitFor("the added sensor's run", async () => {
      const { runs } = await getJson<{ runs: { id: string; tags: Record<string, string> }[] }>(
        `${server.url}/api/runs`,
      );
      return runs.find((r) => r.tags.sensor === "added");
    });
    expect((await runEnded(server.url, run.id)).status).toBe("SUCCESS");
    expect(await readFile(path.join(project, "alpha.out"), "utf8")).toBe("v2");
    expect(server.output()).toMatch(
      /scheduler: evaluating the new definitions \(0 schedule\(s\), 1 sensor\(s\)/,
    );
  });
});

describe("POST /api/definitions/reload", () => {
  it("loads the definitions again on demand, and refuses invalid ones with 422", async () => {
    await newProject(["alpha"]);
    const server = await dev(["--no-scheduler", "--no-watch"]);
    const reload = () => fetch(`${server.url}/api/definitions/reload`, { method: "POST" });

    await writeFile(defs, definitionsFile(["alpha", "beta"], "v1"));
    // Not watching: nothing changes on its own.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await assetKeys(server.url)).toEqual(["alpha"]);

    const res = await reload();
    expect(res.status).toBe(200);
    const body = (await res.json()) as DefinitionsReloaded;
    expect(body).toMatchObject({ changed: true, assets: 2, error: null });
    expect(await assetKeys(server.url)).toEqual(["alpha", "beta"]);

    const again = (await (await reload()).json()) as DefinitionsReloaded;
    expect(again).toMatchObject({ changed: false, version: body.version, loadedAt: body.loadedAt });

    await writeFile(defs, "export default 42;\n");
    const refused = await reload();
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: string }).error).toMatch(
      /previous ones keep serving: .*must export Definitions/,
    );
    expect(await assetKeys(server.url)).toEqual(["alpha", "beta"]);
  });
});

describe("a separate worker", () => {
  it("loads its definitions again when the server announces a reload", async () => {
    await newProject(["alpha"]);
    const env = { ...process.env, DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "" };
    const spawnLignee = (args: string[]): { child: ChildProcess; output: () => string } => {
      const child = spawn(...ligneeCommand(["--definitions", defs, ...args]), {
        env,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
      child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
      const exited = new Promise((r) => child.on("close", r));
      stops.push(async () => {
        child.kill("SIGTERM");
        await exited;
      });
      return { child, output: () => output };
    };
    const server = spawnLignee(["server", "--port", "0"]);
    const url = await waitFor(
      "the server's URL",
      async () => /serving on (http:\/\/\S+?) /.exec(server.output())?.[1],
    );
    const worker = spawnLignee(["worker"]);
    await waitFor("the worker", async () =>
      /is waiting for runs/.test(worker.output()) ? true : undefined,
    );

    await writeFile(defs, definitionsFile(["alpha", "beta"], "v2"));
    const res = await fetch(`${url}/api/definitions/reload`, { method: "POST" });
    expect(res.status).toBe(200);
    // Queued at once: the worker may claim it before its own reload; it then loads its
    // definitions again before planning the run.
    const run = await runEnded(url, await materialize(url, "beta"));
    expect(run.status, `${run.error}\n${worker.output()}`).toBe("SUCCESS");
    expect(await readFile(path.join(project, "beta.out"), "utf8")).toBe("v2");
  });
});
