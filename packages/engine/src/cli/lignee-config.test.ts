import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { LigneeError } from "../errors";
import { findDefinitionsModule } from "./lignee-config";

async function folder(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "lignee-config-unit-"));
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
  return root;
}

describe("findDefinitionsModule", () => {
  it("finds the repository's job-offer definitions in its root package.json", async () => {
    const repo = path.resolve(fileURLToPath(new URL("../../../..", import.meta.url)));
    const found = await findDefinitionsModule(path.join(repo, "docs"));
    expect(found).toEqual({
      module: path.join(repo, "packages/assets/src/definitions.ts"),
      declaredIn: path.join(repo, "package.json"),
    });
  });

  it("prefers a config file to the package.json beside it", async () => {
    const root = await folder({
      "lignee.config.ts": 'export default { definitions: "./a.ts" };\n',
      "package.json": JSON.stringify({ lignee: { definitions: "b.ts" } }),
    });
    expect((await findDefinitionsModule(root))?.module).toBe(path.join(root, "a.ts"));
  });

  it("stops at the nearest package.json", async () => {
    const root = await folder({
      "package.json": JSON.stringify({ lignee: { definitions: "outer.ts" } }),
      "inner/package.json": JSON.stringify({ name: "inner" }),
      "inner/deep/x.txt": "",
    });
    expect(await findDefinitionsModule(path.join(root, "inner/deep"))).toBeUndefined();
    expect((await findDefinitionsModule(root))?.module).toBe(path.join(root, "outer.ts"));
  });

  it("refuses a configuration without a definitions path, naming the file", async () => {
    const root = await folder({ "package.json": JSON.stringify({ lignee: { definition: "x" } }) });
    const error = await findDefinitionsModule(root).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LigneeError);
    expect((error as LigneeError).code).toBe("DEFINITION_INVALID");
    expect((error as Error).message).toContain(path.join(root, "package.json"));
  });
});
