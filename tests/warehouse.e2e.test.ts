import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionEnv, runDbt } from "@lignee/engine";
import { lignee, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";
import { jobOfferEnv } from "./support/job-offers";
import { connectSql, countRows } from "./support/sql";

/**
 * The warehouse end to end with real PostgreSQL and real dbt, through the CLI: reference data
 * and three days of offers from the simulator, then the dbt models built by the engine.
 */
let env: Record<string, string>;
let sql: pg.Client;
const DAYS = ["2024-08-01", "2024-08-02", "2024-08-03"];

interface StatusJson {
  assets: {
    key: string;
    status: string;
    counts: Record<string, number>;
    causes: { kind: string; description: string; ranges: [string, string][] }[];
    checks: { checkName: string; passed: boolean }[];
  }[];
}

const status = async (
  extraEnv: Record<string, string> = {},
): Promise<Map<string, StatusJson["assets"][number]>> => {
  const r = await lignee(["status", "--json"], { ...env, ...extraEnv });
  expect(r.code, r.stderr).toBe(0);
  return new Map((JSON.parse(r.stdout) as StatusJson).assets.map((a) => [a.key, a]));
};

const count = (from: string, params: unknown[] = []): Promise<number> =>
  countRows(sql, from, params);

beforeAll(async () => {
  const url = await createTestDatabase({ migrate: false });
  const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-warehouse-"));
  env = jobOfferEnv(url, dataDir, { offersPerWeekday: 3000, sireneRows: 5000 });
  sql = await connectSql(url);
});

afterAll(async () => {
  await sql.end();
});

describe("warehouse built by dbt through the engine", () => {
  it("builds the seven models from the reference data and three days of offers; every dbt test passes", async () => {
    const sources = await lignee(
      ["materialize", "--select", "raw/*", "--from", DAYS[0]!, "--to", DAYS[2]!],
      env,
    );
    expect(sources.code, sources.stderr).toBe(0);
    const models = await lignee(
      ["materialize", "--select", "emploi/*", "--from", DAYS[0]!, "--to", DAYS[2]!],
      env,
    );
    expect(models.code, models.stderr).toBe(0);

    expect(await count("emploi.dim_naf")).toBe(732);
    expect(await count("emploi.dim_rome")).toBe(await count("raw.rome_metiers"));
    expect(await count("emploi.region")).toBe(18);
    expect(await count("emploi.departement")).toBe(101);
    expect(await count("emploi.dim_lieu")).toBeGreaterThan(34_000);
    expect(await count("emploi.dim_lieu_activite")).toBeGreaterThan(0);
    const loaded = await count("raw.offres WHERE jour BETWEEN $1 AND $2", [DAYS[0], DAYS[2]]);
    expect(loaded).toBeGreaterThan(6000);
    expect(await count("emploi.fait_offre_emploi")).toBe(loaded);
    // code_departement is read by position: what the regular expression gives, on offers of
    // every kind of département (two digits, Corsica, overseas) and offers located as "France".
    const departements = await sql.query<{ kind: string; n: string }>(
      `SELECT CASE WHEN code_departement IN ('2A', '2B') THEN 'corse'
                   WHEN length(code_departement) = 3 THEN 'outre-mer'
                   WHEN code_departement IS NULL THEN 'none' ELSE 'metropole' END AS kind,
              count(*) AS n
       FROM emploi.fait_offre_emploi GROUP BY 1 ORDER BY 1`,
    );
    expect(departements.rows.map((r) => r.kind)).toEqual([
      "corse",
      "metropole",
      "none",
      "outre-mer",
    ]);
    expect(
      await count(
        `emploi.fait_offre_emploi WHERE code_departement IS DISTINCT FROM
           substring(lieu_travail from '^(97[0-9]|2[AB]|[0-9]{2}) - ')`,
      ),
    ).toBe(0);
    // One dbt build of the three days: its count and duration are the build's, marked so; each
    // day records its own row count, counted in the table after the build.
    const recorded = await sql.query<{ partition_key: string; metadata: Record<string, unknown> }>(
      `SELECT partition_key, metadata FROM lignee.materializations
       WHERE asset_key = 'emploi/fait_offre_emploi' ORDER BY partition_key`,
    );
    expect(recorded.rows.map((r) => r.partition_key)).toEqual(DAYS.slice(0, 3));
    for (const { partition_key: day, metadata } of recorded.rows) {
      expect(metadata).toMatchObject({ build_rows_affected: loaded, build_partitions: 3 });
      expect(metadata).toHaveProperty("build_execution_time_s");
      expect(metadata).not.toHaveProperty("rows_affected");
      expect(metadata).not.toHaveProperty("execution_time_s");
      expect(metadata.row_count).toBe(await count("raw.offres WHERE jour = $1", [day]));
    }

    const s = await status();
    for (const [key, asset] of s) {
      if (!key.startsWith("emploi/")) continue;
      expect(asset.status, key).toBe("FRESH");
      expect(asset.checks.length, key).toBeGreaterThan(0);
      expect(
        asset.checks.filter((c) => !c.passed),
        key,
      ).toEqual([]);
    }
  });

  it("re-materialising one day of offers makes fait_offre_emploi STALE; rebuilding touches only that day", async () => {
    expect(
      (await lignee(["materialize", "--select", "raw/offres", "--partition", DAYS[1]!], env)).code,
    ).toBe(0);
    const fait = (await status()).get("emploi/fait_offre_emploi")!;
    expect(fait.status).toBe("STALE");
    // (Days without offers wait on raw/offres: upstream-missing, not a cause of staleness.)
    expect(fait.causes.filter((c) => c.kind !== "upstream-missing")).toEqual([
      expect.objectContaining({ kind: "upstream-newer", ranges: [[DAYS[1], DAYS[1]]] }),
    ]);

    const r = await lignee(
      ["materialize", "--select", "emploi/fait_offre_emploi", "--partition", DAYS[1]!, "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const { runId } = JSON.parse(r.stdout) as { runId: string };
    const shown = JSON.parse((await lignee(["runs", "show", runId, "--json"], env)).stdout) as {
      events: { type: string; message: string; data?: { metadata?: { rows_affected?: number } } }[];
    };
    const day = await count("raw.offres WHERE jour = $1", [DAYS[1]]);
    const materialization = shown.events.find((e) => e.type === "MATERIALIZATION");
    expect(materialization?.data?.metadata?.rows_affected).toBe(day);
    expect(shown.events.some((e) => e.message.includes(`INSERT 0 ${day}`))).toBe(true);
    expect((await status()).get("emploi/fait_offre_emploi")?.status).toBe("FRESH");
  });

  it("dbt's tests of fait_offre_emploi look at the days built; without vars, at the whole table", async () => {
    // One row of DAYS[0] breaks not_null on rome_code and the singular test (filed under a
    // day it was not created on).
    const { rows } = await sql.query<{ id: string; rome_code: string; date_creation: Date }>(
      `SELECT id, rome_code, date_creation FROM emploi.fait_offre_emploi WHERE jour = $1
       ORDER BY id LIMIT 1`,
      [DAYS[0]],
    );
    const broken = rows[0]!;
    await sql.query(
      `UPDATE emploi.fait_offre_emploi
       SET rome_code = NULL, date_creation = date_creation - interval '3 days' WHERE id = $1`,
      [broken.id],
    );
    try {
      // Building DAYS[2] tests DAYS[2]: every check passes there.
      const r = await lignee(
        ["materialize", "--select", "emploi/fait_offre_emploi", "--partition", DAYS[2]!],
        env,
      );
      expect(r.code, r.stderr).toBe(0);
      const results = await sql.query<{ check_name: string; passed: boolean }>(
        `SELECT DISTINCT ON (check_name) check_name, passed FROM lignee.check_results
         WHERE asset_key = 'emploi/fait_offre_emploi' AND partition_key = $1
         ORDER BY check_name, id DESC`,
        [DAYS[2]],
      );
      const names = results.rows.map((c) => c.check_name);
      expect(names).toEqual(
        expect.arrayContaining([
          "not_null_fait_offre_emploi_rome_code",
          "fait_offre_emploi_jour_date_creation",
        ]),
      );
      expect(results.rows.filter((c) => !c.passed)).toEqual([]);

      // dbt by hand: without vars the tests look at every day and see the broken row; with
      // the vars of DAYS[0] too, not with those of DAYS[1].
      const dbtTest = (vars?: string) =>
        runDbt(
          [
            "test",
            "--select",
            "not_null_fait_offre_emploi_rome_code fait_offre_emploi_jour_date_creation",
            "--target-path",
            path.join(tmpdir(), `lignee-dbt-test-${process.pid}`),
            ...(vars ? ["--vars", vars] : []),
          ],
          {
            executable: path.join(REPO_ROOT, ".lignee", "venv", "bin", "dbt"),
            projectDir: path.join(REPO_ROOT, "dbt"),
            profilesDir: path.join(REPO_ROOT, "dbt"),
            env: connectionEnv(env.DATABASE_URL!),
          },
        );
      const day = (d: string) => JSON.stringify({ jour_debut: d, jour_fin: d });
      expect((await dbtTest()).exitCode).toBe(1);
      expect((await dbtTest(day(DAYS[0]!))).exitCode).toBe(1);
      expect((await dbtTest(day(DAYS[1]!))).exitCode).toBe(0);
    } finally {
      await sql.query(
        `UPDATE emploi.fait_offre_emploi SET rome_code = $2, date_creation = $3 WHERE id = $1`,
        [broken.id, broken.rome_code, broken.date_creation],
      );
    }
  });

  it("editing a model's SQL makes it and its downstream STALE with cause code version changed", async () => {
    const copy = path.join(await mkdtemp(path.join(tmpdir(), "lignee-dbt-")), "dbt");
    await cp(path.join(REPO_ROOT, "dbt"), copy, {
      recursive: true,
      filter: (src) => !/[/\\](target|logs|dbt_packages)$/.test(src),
    });
    const region = path.join(copy, "models", "referentiels", "region.sql");
    await writeFile(region, `${await readFile(region, "utf8")}\n-- edited\n`);
    const s = await status({ LIGNEE_DBT_PROJECT_DIR: copy });
    expect(s.get("emploi/region")?.status).toBe("STALE");
    expect(
      s
        .get("emploi/region")
        ?.causes.map((c) => c.kind)
        .filter((k) => k !== "upstream-missing"),
    ).toEqual(["code-version-changed"]);
    expect(s.get("emploi/departement")?.causes.map((c) => c.description)).toContain(
      "upstream emploi/region is stale",
    );
    expect(s.get("emploi/dim_lieu")?.status).toBe("STALE");
    expect(s.get("emploi/dim_naf")?.status).toBe("FRESH");
  });
});

describe("the quality gate", () => {
  const BAD = "2024-08-04";

  it("a bad day from the source is collected, fails its error checks and holds fait_offre_emploi; a good re-collection lifts the hold", async () => {
    const bad = { ...env, LIGNEE_SIMULATOR_BAD_DAYS: BAD };
    const r = await lignee(["materialize", "--select", "raw/offres+", "--partition", BAD], bad);
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(1);
    expect(output).toContain(`blocked by failed check raw/offres:unique_ids on partition ${BAD}`);
    // The day was written (the data is there to inspect), its downstream was not built.
    expect(await count("raw.offres WHERE jour = $1", [BAD])).toBeGreaterThan(0);
    expect(await count("emploi.fait_offre_emploi WHERE jour = $1", [BAD])).toBe(0);

    const failed = await sql.query<{ check_name: string; severity: string }>(
      `SELECT DISTINCT check_name, severity FROM lignee.check_results
       WHERE asset_key = 'raw/offres' AND partition_key = $1 AND NOT passed ORDER BY 1`,
      [BAD],
    );
    expect(failed.rows).toEqual(
      expect.arrayContaining([
        { check_name: "date_creation_in_day", severity: "error" },
        { check_name: "unique_ids", severity: "error" },
      ]),
    );
    // The load evaluated the creation dates as it wrote them (a result without an evaluation's
    // duration); the ids were read back from the table.
    const how = await sql.query<{ check_name: string; evaluated: boolean }>(
      `SELECT check_name, bool_or(duration_ms IS NOT NULL) AS evaluated FROM lignee.check_results
       WHERE asset_key = 'raw/offres' AND partition_key = $1
         AND check_name IN ('date_creation_in_day', 'unique_ids')
       GROUP BY check_name ORDER BY 1`,
      [BAD],
    );
    expect(how.rows).toEqual([
      { check_name: "date_creation_in_day", evaluated: false },
      { check_name: "unique_ids", evaluated: true },
    ]);
    const fait = (await status()).get("emploi/fait_offre_emploi")!;
    expect(fait.causes.map((c) => c.description).join("\n")).toContain(
      `blocked by failed check raw/offres:unique_ids on partition ${BAD}`,
    );
    const alerts = await sql.query<{ kind: string; dedupe_key: string }>(
      `SELECT kind, dedupe_key FROM lignee.alert_events WHERE kind IN ('check_failed', 'run_failed')`,
    );
    expect(alerts.rows.map((a) => a.kind).sort()).toEqual(
      expect.arrayContaining(["check_failed", "check_failed", "run_failed"]),
    );
    expect(alerts.rows.some((a) => a.dedupe_key.endsWith(`:raw/offres:unique_ids:${BAD}`))).toBe(
      true,
    );

    // The source serves the day right again: collecting it anew passes the gate.
    const good = await lignee(["materialize", "--select", "raw/offres+", "--partition", BAD], env);
    expect(good.code, good.stderr).toBe(0);
    expect(await count("emploi.fait_offre_emploi WHERE jour = $1", [BAD])).toBe(
      await count("raw.offres WHERE jour = $1", [BAD]),
    );
    const after = (await status()).get("emploi/fait_offre_emploi")!;
    expect(after.causes.map((c) => c.description).join("\n")).not.toContain("blocked by");
  });
});

describe("dbt failures", () => {
  it("a SQL error fails that model only: exit 1, a clear message, the other models still built", async () => {
    const copy = path.join(await mkdtemp(path.join(tmpdir(), "lignee-dbt-")), "dbt");
    await cp(path.join(REPO_ROOT, "dbt"), copy, {
      recursive: true,
      filter: (src) => !/[/\\](target|logs|dbt_packages)$/.test(src),
    });
    await writeFile(
      path.join(copy, "models", "referentiels", "dim_rome.sql"),
      "select code_rome from raw.table_qui_n_existe_pas\n",
    );
    const before = await count("emploi.dim_naf");
    const r = await lignee(["materialize", "--select", "emploi/dim_rome,emploi/dim_naf"], {
      ...env,
      LIGNEE_DBT_PROJECT_DIR: copy,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/table_qui_n_existe_pas/);
    const s = await status({ LIGNEE_DBT_PROJECT_DIR: copy });
    expect(s.get("emploi/dim_rome")?.status).toBe("FAILED");
    expect(s.get("emploi/dim_naf")?.status).toBe("FRESH");
    expect(await count("emploi.dim_naf")).toBe(before);
    expect(await count("emploi.dim_rome")).toBeGreaterThan(0);
  });

  it("missing dbt: exit 1 and the command that installs it", async () => {
    const r = await lignee(["materialize", "--select", "emploi/region"], {
      ...env,
      LIGNEE_DBT: "/nonexistent/dbt",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("bash scripts/dbt-setup.sh");
  });

  it("a broken profile: exit 1 with dbt's message", async () => {
    const r = await lignee(["materialize", "--select", "emploi/region"], {
      ...env,
      LIGNEE_DBT_TARGET: "nowhere",
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nowhere/);
  });
});
