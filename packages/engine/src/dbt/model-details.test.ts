import { mkdtemp, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keepManifest, modelDetails } from "./model-details";

let dir: string;
let file: string;

const node = (extra: Record<string, unknown>) => ({
  unique_id: "model.p.dim",
  resource_type: "model",
  name: "dim",
  package_name: "p",
  original_file_path: "models/dim.sql",
  fqn: ["p", "dim"],
  raw_code: "select code from {{ source('raw', 'codes') }}\n",
  language: "sql",
  columns: {
    code: { name: "code", description: "The code. ", data_type: "text" },
    label: { name: "label", description: "" },
  },
  ...extra,
});

async function writeManifest(extra: Record<string, unknown>, mtime: Date): Promise<void> {
  await writeFile(file, JSON.stringify({ nodes: { "model.p.dim": node(extra) }, sources: {} }));
  await utimes(file, mtime, mtime);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lignee-model-details-"));
  file = path.join(dir, "manifest.json");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a dbt model's details", () => {
  it("reads its columns and SQL from the manifest, and again once the manifest changed", async () => {
    await writeManifest({}, new Date("2026-01-01T00:00:00Z"));
    const details = modelDetails(file, "model.p.dim");
    expect(await details()).toEqual({
      columns: [
        { name: "code", type: "text", description: "The code." },
        { name: "label", type: null, description: null },
      ],
      code: { language: "sql", raw: "select code from {{ source('raw', 'codes') }}\n" },
    });

    // `dbt compile` rewrote the manifest: the compiled SQL shows.
    await writeManifest(
      { compiled_code: 'select code from "db"."raw"."codes"' },
      new Date("2026-01-02T00:00:00Z"),
    );
    expect((await details()).code?.compiled).toBe('select code from "db"."raw"."codes"');
  });

  it("answers nothing for a model the manifest no longer has, and fails when it is gone", async () => {
    expect(await modelDetails(file, "model.p.gone")()).toEqual({});
    await expect(modelDetails(path.join(dir, "missing.json"), "model.p.dim")()).rejects.toThrow(
      /ENOENT/,
    );
  });

  it("uses the manifest the definitions read (kept), until the file changes", async () => {
    await writeManifest({}, new Date("2026-02-01T00:00:00Z"));
    // What loadDbtAssets parsed: the same file, here told apart by its SQL.
    const kept = { nodes: { "model.p.dim": node({ raw_code: "select 1\n" }) }, sources: {} };
    await keepManifest(file, kept as unknown as Parameters<typeof keepManifest>[1]);
    const details = modelDetails(file, "model.p.dim");
    expect((await details()).code?.raw).toBe("select 1\n");

    await writeManifest({}, new Date("2026-02-02T00:00:00Z"));
    expect((await details()).code?.raw).toBe("select code from {{ source('raw', 'codes') }}\n");
  });
});
