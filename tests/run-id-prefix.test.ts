import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildExampleDefinitions, type Definitions } from "@lignee/engine";
import { openTestApi, type TestApi } from "./support/api";
import { lignee } from "./support/cli";

/**
 * A run named by the start of its id, as the UI and `lignee runs` show it (8 characters):
 * `lignee runs show PREFIX` and `GET /api/runs?idPrefix=`, over real PostgreSQL.
 */
const EXAMPLE = ["--definitions", "packages/engine/src/examples/example-definitions.ts"];
const ONE = "8898dbe9-4c1e-4a51-9d3a-0b6f2f0e6a11";
const TWINS = ["abcd1111-0000-4000-8000-000000000001", "abcd2222-0000-4000-8000-000000000002"];

let t: TestApi;
let env: Record<string, string>;

beforeAll(async () => {
  t = await openTestApi(buildExampleDefinitions() as Definitions<unknown>);
  env = { DATABASE_URL: t.url, LIGNEE_API_TOKEN: "" };
  for (const id of [ONE, ...TWINS]) {
    await t.storage.createRun({
      id,
      status: "SUCCESS",
      selection: "raw/events",
      assetKeys: ["raw/events"],
      partitionSpec: null,
      hostname: "test",
      pid: 1,
    });
  }
});

afterAll(async () => {
  await t?.close();
});

describe("lignee runs show PREFIX", () => {
  it("finds a run by an unambiguous prefix and refuses the others with a clear error", async () => {
    const show = (id: string) => lignee([...EXAMPLE, "runs", "show", id], env);
    const [short, upper, dashed, ambiguous, tooShort, unknown, notHex] = await Promise.all([
      show("8898dbe9"),
      show("8898DBE9"),
      show("8898dbe9-4c"),
      show("abcd"),
      show("889"),
      show("ffff0000"),
      show("zzzz"),
    ]);
    for (const r of [short, upper, dashed]) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`Run ${ONE}  SUCCESS`);
    }
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toMatch(/run id prefix "abcd" is ambiguous, it matches 2 runs/);
    for (const id of TWINS) expect(ambiguous.stderr).toContain(id);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(/"889" is too short: give at least 4 hexadecimal characters/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown run "ffff0000"/);
    expect(notHex.code).toBe(2);
    expect(notHex.stderr).toMatch(/"zzzz" is not a run id or the start of one/);
    for (const r of [ambiguous, tooShort, unknown, notHex]) {
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    }
  });

  it("still takes a whole id", async () => {
    const r = await lignee([...EXAMPLE, "runs", "show", TWINS[1]!, "--json"], env);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { run: { id: string } }).run.id).toBe(TWINS[1]);
  });
});

describe("GET /api/runs?idPrefix=", () => {
  const ids = async (query: string): Promise<string[]> => {
    const res = await t.get(`/api/runs?${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return ((await res.json()) as { runs: { id: string }[] }).runs.map((r) => r.id);
  };

  it("lists the runs whose id starts with the prefix", async () => {
    expect(await ids("idPrefix=8898dbe9")).toEqual([ONE]);
    expect(await ids("idPrefix=ABCD")).toEqual(expect.arrayContaining(TWINS));
    expect(await ids("idPrefix=abcd")).toHaveLength(2);
    expect(await ids("idPrefix=abcd2")).toEqual([TWINS[1]]);
    expect(await ids("idPrefix=ffff")).toEqual([]);
    expect(await ids("idPrefix=abcd&status=FAILURE")).toEqual([]);
  });

  it("refuses a prefix that is too short or not hexadecimal with 400", async () => {
    for (const [prefix, message] of [
      ["88", /too short: give at least 4/],
      ["zzzz", /not a run id or the start of one/],
    ] as const) {
      const res = await t.get(`/api/runs?idPrefix=${prefix}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(message);
    }
  });

  it("answers GET /api/runs/PREFIX with 404 naming the runs it matches", async () => {
    const res = await t.get("/api/runs/8898dbe9");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe(
      `Unknown run "8898dbe9": run ids are whole UUIDs; runs starting with it: ${ONE}`,
    );
  });
});
