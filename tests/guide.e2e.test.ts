import { spawn, type ChildProcess } from "node:child_process";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli";
import { freePort } from "./support/free-port";
import { exec, NPM_CACHE, packedEngine } from "./support/package";
import { waitFor } from "./support/wait";

/**
 * docs/guide.md cannot rot: its code blocks are run in order in an empty folder, as a reader
 * would. Shell blocks run line by line (`cd` changes the folder of the next lines), with the
 * packed engine standing for `@lignee/engine` of the registry; a `sh background` block
 * (`lignee dev`, which runs until stopped) is started on a free port and left running for the
 * next blocks, then stopped; a TypeScript block is written to the file its first line names
 * (`// src/definitions.ts`), and every TypeScript block is type-checked against the installed
 * engine's declarations.
 */
interface Block {
  readonly lang: string;
  readonly info: string;
  readonly code: string;
}

/** The fenced blocks; a fence the test would not run (another language, none, indented) fails. */
function blocks(markdown: string): Block[] {
  const found = [...markdown.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    info: m[2]!.trim(),
    code: m[3]!,
  }));
  const fences = markdown.split("\n").filter((line) => /^\s*(```|~~~)/.test(line)).length;
  expect(fences, "every fence opens or closes a ```ts or ```sh block at the start of a line").toBe(
    2 * found.length,
  );
  for (const b of found) {
    expect(["ts", "sh"], `a block in ${b.lang}:\n${b.code}`).toContain(b.lang);
    expect(b.code, "a shell line continued with \\").not.toMatch(/\\\n/);
  }
  return found;
}

let root: string;
let env: Record<string, string>;
let tarball: string;
const background: ChildProcess[] = [];

beforeAll(async () => {
  tarball = await packedEngine();
  root = await mkdtemp(path.join(tmpdir(), "lignee-guide-"));
  // A project folder others may enter, as a home's projects are: as root (CI), the embedded
  // PostgreSQL runs as the postgres user, which must reach the installed binaries.
  await chmod(root, 0o755);
  env = {
    // No DATABASE_URL: the embedded PostgreSQL of the installed package, as a reader has it
    // (on a free port, in the project's .lignee/).
    DATABASE_URL: "",
    LIGNEE_PG_PORT: String(await freePort()),
    // The engine of `lignee init`'s package.json, and npm's cache shared with the other tests.
    LIGNEE_ENGINE_SPEC: tarball,
    npm_config_cache: NPM_CACHE,
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
    npm_config_loglevel: "error",
  };
}, 600_000);

afterAll(async () => {
  for (const child of background) await stop(child);
  if (root) await rm(root, { recursive: true, force: true });
});

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.on("close", resolve));
  process.kill(-child.pid!, "SIGTERM");
  await exited;
}

/** Starts `command` in a process group of its own; resolves once it prints its URL. */
async function startInBackground(command: string, cwd: string): Promise<string> {
  const child = spawn("bash", ["-c", command], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  background.push(child);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return waitFor(
    `the URL of ${command}`,
    async () => {
      if (child.exitCode !== null) throw new Error(`${command} exited:\n${output}`);
      return /serving on (http:\/\/\S+?) /.exec(output)?.[1];
    },
    120_000,
  );
}

describe("docs/guide.md", () => {
  it("runs as written, and its TypeScript type-checks against the package", async () => {
    const guide = blocks(await readFile(path.join(REPO_ROOT, "docs/guide.md"), "utf8"));
    expect(guide.filter((b) => b.lang === "ts").length).toBeGreaterThanOrEqual(3);
    expect(guide.some((b) => b.code.includes("lignee init"))).toBe(true);
    expect(guide.some((b) => b.code.includes("lignee backfill"))).toBe(true);

    let cwd = root;
    const typescript: string[] = [];
    for (const block of guide) {
      if (block.lang === "ts") {
        const file = /^\/\/ (\S+)\n/.exec(block.code)?.[1];
        expect(file, `a TypeScript block names its file first:\n${block.code}`).toBeDefined();
        await writeFile(path.join(cwd, file!), block.code);
        typescript.push(block.code);
      } else if (block.lang === "sh" && block.info === "background") {
        const url = await startInBackground(
          `${block.code.trim().replace(/^npx lignee /, "npx --no -- lignee ")} --port 0`,
          cwd,
        );
        const health = await fetch(`${url}/api/health`);
        expect(health.status).toBe(200);
        const ui = await fetch(`${url}/`);
        expect(await ui.text()).toContain('<div id="root">');
      } else if (block.lang === "sh") {
        for (const line of block.code.split("\n").map((l) => l.replace(/\s+#.*$/, "").trim())) {
          if (line === "") continue;
          const cd = /^cd (\S+)$/.exec(line);
          if (cd) {
            cwd = path.resolve(cwd, cd[1]!);
            continue;
          }
          // The packed engine for the registry's; `npx lignee` only ever runs the project's own.
          const command = line
            .replace(/^npx -p @lignee\/engine /, `npx --yes -p ${tarball} `)
            .replace(/^npx lignee /, "npx --no -- lignee ");
          const r = await exec("bash", ["-c", command], { cwd, env });
          expect(r.code, `${line}\n${r.stdout}\n${r.stderr}`).toBe(0);
        }
      }
    }

    const status = await exec("npx", ["--no", "--", "lignee", "status", "--json"], { cwd, env });
    const assets = (
      JSON.parse(status.stdout) as {
        assets: { key: string; status: string; counts: Record<string, number> }[];
      }
    ).assets;
    expect(assets.find((a) => a.key === "reference/cities")?.status).toBe("FRESH");
    expect(assets.find((a) => a.key === "daily/visits")?.counts.FRESH).toBeGreaterThanOrEqual(31);

    // Every block, not only the last one written: each in a file of its own.
    await mkdir(path.join(cwd, "guide-check"), { recursive: true });
    for (const [i, code] of typescript.entries()) {
      await writeFile(path.join(cwd, "guide-check", `block-${i + 1}.ts`), code);
    }
    await writeFile(
      path.join(cwd, "tsconfig.guide.json"),
      JSON.stringify({ extends: "./tsconfig.json", include: ["guide-check"] }),
    );
    const tsc = await exec("npx", ["--no", "--", "tsc", "-p", "tsconfig.guide.json"], { cwd, env });
    expect(tsc.code, tsc.stdout).toBe(0);
  }, 900_000);
});
