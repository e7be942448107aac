import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lignee } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { jobOfferEnv } from "./support/job-offers";
import { connectSql, countRows } from "./support/sql";

/**
 * The job-offer pipeline through the CLI, as a user runs it without France Travail
 * credentials: the simulator is started by the platform itself, offers are collected to NDJSON
 * and loaded into the warehouse, reference data is loaded from the shipped packages and files.
 */
let env: Record<string, string>;
let dataDir: string;
let sql: pg.Client;

beforeAll(async () => {
  const url = await createTestDatabase({ migrate: false });
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-data-"));
  env = jobOfferEnv(url, dataDir, { offersPerWeekday: 4000, sireneRows: 2000 });
  sql = await connectSql(url);
});

afterAll(async () => {
  await sql.end();
});

const count = (from: string, params: unknown[] = []): Promise<number> =>
  countRows(sql, from, params);

describe("job-offer pipeline", () => {
  it("loads the reference data with the expected row counts", async () => {
    const r = await lignee(["materialize", "--select", "group:referentiels"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(await count("raw.naf_sections")).toBe(21);
    expect(await count("raw.naf_sous_classes")).toBe(732);
    expect(await count("raw.rome_metiers")).toBe(532);
    expect(await count("raw.rome_grands_domaines")).toBe(14);
    expect(await count("raw.cog_communes WHERE type = 'arrondissement-municipal'")).toBe(45);
    // No INSEE file in the data folder: a synthetic StockEtablissement stands in.
    const active = await count("raw.sirene_etablissements");
    expect(active).toBeGreaterThan(1500);
    expect(active).toBeLessThan(2000);
  });

  it("collects a day from the simulator, writes the NDJSON file and loads exactly its offers", async () => {
    const r = await lignee(
      ["materialize", "--select", "raw/offres", "--partition", "2024-08-01", "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const file = path.join(dataDir, "raw/offres/offres-2024-08-01.ndjson");
    const lines = (await readFile(file, "utf8")).split("\n").filter((l) => l.length > 0);
    expect(lines.length).toBe(4000);
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id));
    expect(ids.size).toBe(4000);
    expect(await count("raw.offres WHERE jour = $1", ["2024-08-01"])).toBe(4000);

    const { runId } = JSON.parse(r.stdout) as { runId: string };
    const shown = await lignee(["runs", "show", runId, "--json"], env);
    const events = (
      JSON.parse(shown.stdout) as {
        events: { type: string; data?: { metadata?: Record<string, unknown> } }[];
      }
    ).events;
    const metadata = events.find((e) => e.type === "MATERIALIZATION")?.data?.metadata;
    expect(metadata).toMatchObject({ rows: 4000, source: "simulator" });
    expect(metadata?.api_calls).toBeGreaterThanOrEqual(27);
  });

  it("re-materialising the day replaces it: same rows, no duplicates", async () => {
    const r = await lignee(
      ["materialize", "--select", "raw/offres", "--partition", "2024-08-01"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(await count("raw.offres WHERE jour = $1", ["2024-08-01"])).toBe(4000);
    expect(await count("(SELECT DISTINCT id FROM raw.offres) d")).toBe(4000);
  });
});
