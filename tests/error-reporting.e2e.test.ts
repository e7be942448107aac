import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixture, lignee, startLigneeDev, type DevServer } from "./support/cli";
import { createTestDatabase } from "./support/database";

/**
 * How a failed step is reported, with the warehouse's own `raw/offres` asset loading a raw
 * file (tests/fixtures/offres-from-file.ts): bad data fails at once instead of waiting through
 * the asset's retries, the run's error names the file and the line, and nothing served over
 * HTTP shows where the machine keeps its files.
 */
const DEFINITIONS = ["--definitions", fixture("offres-from-file.ts")];
/** An absolute path of this machine, as it would appear in a message or a stack frame. */
const ABSOLUTE_PATH = /(^|[\s("'=])(file:\/\/)?\/(work|root|home|tmp|usr|var|opt|srv|app)\//m;

let env: Record<string, string>;
let dataDir: string;

const offer = (id: string): string => JSON.stringify({ id, intitule: `Offre ${id}` });

/** Writes the day's raw file: 11 offers, then a line that is not one, then one more offer. */
async function writeMalformedDay(day: string): Promise<void> {
  const lines = [
    ...Array.from({ length: 11 }, (_, i) => offer(`${day}-${i + 1}`)),
    '{"intitule": "no id"}',
    offer(`${day}-13`),
  ];
  await writeFile(
    path.join(dataDir, "raw", "offres", `offres-${day}.ndjson`),
    `${lines.join("\n")}\n`,
  );
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-errors-"));
  await mkdir(path.join(dataDir, "raw", "offres"), { recursive: true });
  env = {
    DATABASE_URL: await createTestDatabase({ migrate: false }),
    LIGNEE_DATA_DIR: dataDir,
    LIGNEE_API_TOKEN: "",
    FRANCE_TRAVAIL_CLIENT_ID: "",
    FRANCE_TRAVAIL_CLIENT_SECRET: "",
  };
});

describe("a raw offers file with a malformed line", () => {
  it("fails `lignee materialize` at once, and the run's error names the file and the line", async () => {
    await writeMalformedDay("2024-08-01");
    const started = Date.now();
    const r = await lignee(
      [...DEFINITIONS, "materialize", "--select", "raw/offres", "--partition", "2024-08-01"],
      env,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/retry/i);
    // The asset's policy waits 30 s before a retry: failing at once means well under that.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(r.stderr).toContain("offres-2024-08-01.ndjson line 12");
    expect(r.stderr).not.toMatch(ABSOLUTE_PATH);

    const runId = /run (\S+) FAILURE/.exec(r.stdout)?.[1];
    expect(runId, r.stdout).toBeDefined();
    const shown = await lignee([...DEFINITIONS, "runs", "show", runId!, "--json"], env);
    expect(shown.code, shown.stderr).toBe(0);
    const detail = JSON.parse(shown.stdout) as {
      error?: string;
      run?: { error?: string };
      events: { type: string }[];
    };
    const error = detail.error ?? detail.run?.error;
    expect(error).toMatch(
      /^raw\/offres\[2024-08-01\] failed: offres-2024-08-01\.ndjson line 12: .*"id"/,
    );
    expect(detail.events.map((e) => e.type)).not.toContain("STEP_RETRY");
  }, 120_000);
});

describe("the API after failed steps", () => {
  let dev: DevServer;

  beforeAll(async () => {
    dev = await startLigneeDev(DEFINITIONS, env);
  });

  afterAll(async () => {
    await dev?.stop();
  });

  async function runAndWait(day: string): Promise<string> {
    const res = await fetch(`${dev.url}/api/runs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ selection: "raw/offres", partition: day }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const { runId } = (await res.json()) as { runId: string };
    for (let i = 0; i < 400; i++) {
      const { run } = (await (await fetch(`${dev.url}/api/runs/${runId}`)).json()) as {
        run: { status: string };
      };
      if (run.status === "FAILURE" || run.status === "SUCCESS") return runId;
      await new Promise((r) => setTimeout(r, 100));
    }
    const events = await (await fetch(`${dev.url}/api/runs/${runId}/events`)).text();
    const run = await (await fetch(`${dev.url}/api/runs/${runId}`)).text();
    throw new Error(`run ${runId} did not finish\n${run}\n${events}\n${dev.output()}`);
  }

  it("serves no absolute path of the machine in events or run details, stacks included", async () => {
    await writeMalformedDay("2024-08-02");
    // No file at all for 2024-08-03: the error Node.js raises names the absolute path.
    const runs = [await runAndWait("2024-08-02"), await runAndWait("2024-08-03")];
    for (const [i, runId] of runs.entries()) {
      const detail = await (await fetch(`${dev.url}/api/runs/${runId}`)).text();
      const events = await (await fetch(`${dev.url}/api/runs/${runId}/events`)).text();
      expect(JSON.parse(detail)).toMatchObject({ run: { status: "FAILURE" } });
      expect(detail).not.toMatch(ABSOLUTE_PATH);
      expect(events).not.toMatch(ABSOLUTE_PATH);
      expect(events).not.toContain(dataDir);
      expect(events).not.toContain("STEP_RETRY");
      // Stacks are kept, relative to the project: still useful to find the code.
      if (i === 0) expect(events).toMatch(/packages\/assets\/src\/offres\/loader\.ts:\d+/);
    }
    const missing = JSON.parse(await (await fetch(`${dev.url}/api/runs/${runs[1]}`)).text()) as {
      run: { error: string };
    };
    expect(missing.run.error).toMatch(
      /^raw\/offres\[2024-08-03\] failed: .*offres-2024-08-03\.ndjson/,
    );
  }, 120_000);

  it("names the loaded file relative to the data folder in the materialisation's metadata", async () => {
    const day = "2024-08-04";
    await writeFile(
      path.join(dataDir, "raw", "offres", `offres-${day}.ndjson`),
      `${[offer(`${day}-1`), offer(`${day}-2`)].join("\n")}\n`,
    );
    await runAndWait(day);
    const body = await (
      await fetch(`${dev.url}/api/assets/raw/offres/materializations?latestPerPartition=true`)
    ).text();
    const { materializations } = JSON.parse(body) as {
      materializations: { partitionKey: string; metadata: Record<string, unknown> }[];
    };
    const loaded = materializations.find((m) => m.partitionKey === day);
    expect(loaded?.metadata).toMatchObject({ rows: 2, file: `raw/offres/offres-${day}.ndjson` });
    expect(body).not.toMatch(ABSOLUTE_PATH);
  }, 120_000);
});
