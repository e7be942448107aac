import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import { lignee, REPO_ROOT } from "./support/cli";

/**
 * Which definitions `lignee` loads without `--definitions`: the ones the project's configuration
 * declares (a lignee.config.ts, or package.json's `lignee` field), found from the working
 * directory; never a path the engine guesses.
 */
const EXAMPLE = path.join(REPO_ROOT, "packages/engine/src/examples/example-definitions.ts");
let env: Record<string, string>;

/**
 * An ES module project folder outside the repository whose definitions module re-exports the
 * example (as ES modules: loaded as CommonJS, the example would be a second copy of the engine).
 */
async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "lignee-config-"));
  const all = {
    "src/definitions.ts": `export { default } from ${JSON.stringify(EXAMPLE)};\n`,
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

const assetKeys = (stdout: string): string[] =>
  (JSON.parse(stdout) as { assets: { key: string }[] }).assets.map((a) => a.key);

beforeAll(async () => {
  env = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
});

describe("lignee's default definitions come from configuration", () => {
  it("reads the lignee field of the nearest package.json", async () => {
    const root = await project({
      "package.json": JSON.stringify({
        type: "module",
        lignee: { definitions: "src/definitions.ts" },
      }),
    });
    const r = await lignee(["status", "--json"], env, undefined, root);
    expect(r.code, r.stderr).toBe(0);
    expect(assetKeys(r.stdout)).toContain("raw/events");
  });

  it("reads a lignee.config.ts, from a folder below it, relative to the config file", async () => {
    const root = await project({
      "package.json": JSON.stringify({ name: "shop", type: "module" }),
      "lignee.config.ts": 'export default { definitions: "./src/definitions.ts" };\n',
      "sub/notes.txt": "",
    });
    const r = await lignee(["status", "--json"], env, undefined, path.join(root, "sub"));
    expect(r.code, r.stderr).toBe(0);
    expect(assetKeys(r.stdout)).toContain("raw/events");
  });

  it("--definitions overrides the configuration", async () => {
    const root = await project({
      "package.json": JSON.stringify({ type: "module", lignee: { definitions: "src/missing.ts" } }),
    });
    const r = await lignee(
      ["--definitions", "src/definitions.ts", "status", "--json"],
      env,
      undefined,
      root,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(assetKeys(r.stdout)).toContain("raw/events");
  });

  it("without configuration, says how to configure and starts nothing", async () => {
    const root = await project({ "package.json": JSON.stringify({ name: "empty" }) });
    const r = await lignee(["status", "--json"], env, undefined, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("no definitions configured");
    expect(r.stderr).toContain("lignee.config.ts");
    expect(r.stderr).toContain("--definitions");
  });

  it("names the file that declares a module that does not exist", async () => {
    const root = await project({
      "package.json": JSON.stringify({ type: "module", lignee: { definitions: "src/missing.ts" } }),
    });
    const r = await lignee(["status", "--json"], env, undefined, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `definitions module not found: ${path.join(root, "src/missing.ts")}`,
    );
    expect(r.stderr).toContain(`declared in ${path.join(root, "package.json")}`);
  });
});
