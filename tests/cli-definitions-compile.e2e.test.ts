import { chmod, mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import { lignee, REPO_ROOT } from "./support/cli";

/**
 * The built CLI compiles a project's TypeScript definitions (and the project files they import)
 * into a cached JavaScript module: `@lignee/engine` in it is the engine the CLI runs, each file
 * keeps its own `import.meta.url`, an edit to any of those files is compiled again, and a
 * module that does not compile, or that reaches into the engine's sources, is a clear error.
 */
let env: Record<string, string>;

async function project(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "lignee-compile-"));
  await write(root, {
    "package.json": JSON.stringify({ type: "module", lignee: { definitions: "src/defs.ts" } }),
    ...files,
  });
  return root;
}

async function write(root: string, files: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}

const DEFINITIONS = `
import { readFileSync } from "node:fs";
import { Definitions, defineAsset } from "@lignee/engine";
import { PREFIX } from "./naming";

// Read beside this file: its import.meta.url must stay its own once compiled.
const { name } = JSON.parse(readFileSync(new URL("./asset.json", import.meta.url), "utf8"));
export default Definitions.create({
  assets: [defineAsset({ key: \`\${PREFIX}/\${name}\`, async materialize() { return {}; } })],
});
`;

const assetKeys = (stdout: string): string[] =>
  (JSON.parse(stdout) as { assets: { key: string }[] }).assets.map((a) => a.key);

beforeAll(async () => {
  env = { DATABASE_URL: await createTestDatabase() };
});

describe("the built CLI's definitions", () => {
  it("load with the engine it runs, keep import.meta.url, and follow edits", async () => {
    const root = await project({
      "src/defs.ts": DEFINITIONS,
      "src/naming.ts": 'export const PREFIX: string = "raw";\n',
      "src/asset.json": JSON.stringify({ name: "orders" }),
    });
    const first = await lignee(["status", "--json"], env, undefined, root);
    expect(first.code, first.stderr).toBe(0);
    expect(assetKeys(first.stdout)).toEqual(["raw/orders"]);

    // An imported file changes (same length, so that only its time tells): compiled again.
    await write(root, { "src/naming.ts": 'export const PREFIX: string = "mrt";\n' });
    const second = await lignee(["status", "--json"], env, undefined, root);
    expect(second.code, second.stderr).toBe(0);
    expect(assetKeys(second.stdout)).toEqual(["mrt/orders"]);
  });

  it("that do not compile: exit 2 naming the file and line, nothing started", async () => {
    const root = await project({ "src/defs.ts": "export default {;\n" });
    const r = await lignee(["status"], env, undefined, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/defs\.ts does not compile:\n.*defs\.ts:1: /);
  });

  it("that import the engine's source files: exit 2 saying to import @lignee/engine", async () => {
    const source = path.join(REPO_ROOT, "packages/engine/src/definitions/definitions.ts");
    const root = await project({
      "src/defs.ts": `import { Definitions } from ${JSON.stringify(source)};\nexport default Definitions.create({ assets: [] });\n`,
    });
    const r = await lignee(["status"], env, undefined, root);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`import it from "@lignee/engine"`);
  });
});

describe("the compiled definitions' folder", () => {
  it("is refused when others may write to it: exit 2, nothing loaded from it", async () => {
    const temp = await mkdtemp(path.join(tmpdir(), "lignee-tmp-"));
    const cache = path.join(temp, `lignee-modules-${userInfo().uid}`);
    await mkdir(cache);
    await chmod(cache, 0o777);
    const root = await project({
      "src/defs.ts": DEFINITIONS,
      "src/naming.ts": 'export const PREFIX: string = "raw";\n',
      "src/asset.json": JSON.stringify({ name: "orders" }),
    });
    const r = await lignee(["status"], { ...env, TMPDIR: temp }, undefined, root);
    expect(r.code, r.stdout).toBe(2);
    expect(r.stderr).toContain(`${cache} is not a private folder of this user`);
    expect(await readdir(cache)).toEqual([]);
  });
});
