import { describe, expect, it } from "vitest";
import { defineSchedule } from "./schedule";
import { defineSensor } from "./sensor";
import { DefinitionError, UnknownAssetError } from "../errors";
import { dailyPartitions, staticPartitions } from "../partitions/definition";
import { identityMapping, timeWindowMapping } from "../partitions/mapping";
import { defineAsset, type AssetDefinition, type AssetOptions } from "./asset";
import { assetKeyProblem } from "../graph/asset-key";
import { Definitions } from "./definitions";
import { defineCheck } from "./check";
import { NO_RETRY } from "./retry-policy";

const noop = async (): Promise<void> => undefined;

function asset(
  key: string,
  deps: AssetOptions<unknown>["deps"] = [],
  extra: Partial<AssetOptions<unknown>> = {},
): AssetDefinition<unknown> {
  return defineAsset<unknown>({ key, deps, materialize: noop, ...extra });
}

/** The DefinitionError that creating these assets throws; fails the test otherwise. */
function definitionErrorFor(assets: AssetDefinition<unknown>[]): DefinitionError {
  let error: unknown;
  try {
    Definitions.create({ assets });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(DefinitionError);
  const e = error as DefinitionError;
  expect(e.code).toBe("DEFINITION_INVALID");
  return e;
}

const daily = dailyPartitions({ start: "2024-05-23" });
const countries = staticPartitions(["fr", "de"]);

describe("assetKeyProblem", () => {
  it.each(["a", "raw/offres", "emploi/dim_rome", "a.b/c-d/_e", "v2/x.y"])("accepts %j", (key) => {
    expect(assetKeyProblem(key)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["raw//x", `bad segment ""`],
    ["/raw", `bad segment ""`],
    ["raw/", `bad segment ""`],
    ["raw/my table", `bad segment "my table"`],
    ["raw/.hidden", `bad segment ".hidden"`],
    ["raw/-x", `bad segment "-x"`],
    ["raw/é", `bad segment "é"`],
  ])("rejects %j", (key, fragment) => {
    expect(assetKeyProblem(key)).toContain(fragment);
  });
});

describe("defineAsset", () => {
  it("fills defaults and normalises dependencies", () => {
    const a = asset("b", ["a", { asset: "c", mapping: identityMapping() }]);
    expect(a.deps).toEqual([{ asset: "a" }, { asset: "c", mapping: { kind: "identity" } }]);
    expect(a.group).toBe("default");
    expect(a.tags).toEqual({});
    expect(a.codeVersion).toBe("1");
    expect(a.partitions).toBeUndefined();
    expect(a.retryPolicy).toEqual(NO_RETRY);
    expect(a.backfillPolicy).toBe("per-partition");
  });

  it("copies tags so that later changes to the input do not leak in", () => {
    const tags = { source: "x" };
    const a = asset("a", [], { tags });
    tags.source = "y";
    expect(a.tags).toEqual({ source: "x" });
  });
});

describe("Definitions.create: validation", () => {
  it("rejects an unknown dependency", () => {
    const e = definitionErrorFor([asset("a"), asset("b", ["a", "zzz"])]);
    expect(e.problems).toEqual([`asset "b" depends on unknown asset "zzz"`]);
    expect(e.message).toBe(`Invalid definitions: asset "b" depends on unknown asset "zzz"`);
  });

  it("rejects a duplicate key", () => {
    const e = definitionErrorFor([asset("a"), asset("b"), asset("a")]);
    expect(e.problems).toEqual([`duplicate asset key "a"`]);
  });

  it("rejects an invalid key", () => {
    const e = definitionErrorFor([asset("raw/my table")]);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toContain(`asset key "raw/my table" is invalid`);
  });

  it("rejects a dependency listed twice", () => {
    const e = definitionErrorFor([asset("a"), asset("b", ["a", "a"])]);
    expect(e.problems).toEqual([`asset "b" lists dependency "a" twice`]);
  });

  it("rejects an empty code version", () => {
    const e = definitionErrorFor([asset("a", [], { codeVersion: "" })]);
    expect(e.problems).toEqual([`asset "a" has an empty code version`]);
  });

  it("rejects a cycle, naming every asset on it in an arrow path", () => {
    // a → b → c → a, read downstream: b reads a, c reads b, a reads c.
    const e = definitionErrorFor([asset("a", ["c"]), asset("b", ["a"]), asset("c", ["b"])]);
    expect(e.problems).toHaveLength(1);
    const problem = e.problems[0]!;
    const match = /^dependency cycle: (.+)$/.exec(problem);
    expect(match, problem).not.toBeNull();
    const path = match![1]!.split(" → ");
    // A closed path over exactly a, b and c …
    expect(path).toHaveLength(4);
    expect(path[0]).toBe(path[3]);
    expect([...path.slice(0, 3)].sort()).toEqual(["a", "b", "c"]);
    // … that follows the lineage downstream (x → y means y depends on x).
    const edges = new Set(["a→b", "b→c", "c→a"]);
    for (let i = 0; i < 3; i++) expect(edges.has(`${path[i]}→${path[i + 1]}`), problem).toBe(true);
  });

  it("reports only the assets on the cycle, not those around it", () => {
    const e = definitionErrorFor([
      asset("source"),
      asset("x", ["source", "z"]),
      asset("y", ["x"]),
      asset("z", ["y"]),
      asset("sink", ["z"]),
    ]);
    expect(e.problems).toHaveLength(1);
    const path = e.problems[0]!.replace("dependency cycle: ", "").split(" → ");
    expect(new Set(path)).toEqual(new Set(["x", "y", "z"]));
  });

  it("rejects an asset that depends on itself", () => {
    const e = definitionErrorFor([asset("a", ["a"])]);
    expect(e.problems).toEqual(["dependency cycle: a → a"]);
  });

  it("rejects an identity mapping between daily and static partitions", () => {
    const e = definitionErrorFor([
      asset("by_country", [], { partitions: countries }),
      asset("by_day", [{ asset: "by_country", mapping: identityMapping() }], { partitions: daily }),
    ]);
    expect(e.problems).toHaveLength(1);
    expect(e.problems[0]).toContain(`asset "by_day" → dependency "by_country"`);
    expect(e.problems[0]).toContain("incompatible partition mapping");
    expect(e.problems[0]).toContain("identity mapping between static and daily partitions");
  });

  it("accepts daily partitions in different timezones: the default is a time window", () => {
    expect(() =>
      Definitions.create({
        assets: [
          asset("paris", [], { partitions: daily }),
          asset("utc", ["paris"], {
            partitions: dailyPartitions({ start: "2024-05-23", timezone: "UTC" }),
          }),
        ],
      }),
    ).not.toThrow();
  });

  it("reports every problem in one error", () => {
    const e = definitionErrorFor([
      asset("a"),
      asset("a"),
      asset("bad key"),
      asset("b", ["missing"]),
      asset("c", ["d"]),
      asset("d", ["c"]),
      asset("s", [], { partitions: countries }),
      asset("t", [{ asset: "s", mapping: timeWindowMapping({ offset: -1 }) }], {
        partitions: daily,
      }),
    ]);
    expect(e.problems).toHaveLength(5);
    expect(e.problems).toContain(`duplicate asset key "a"`);
    expect(e.problems.some((p) => p.includes(`asset key "bad key" is invalid`))).toBe(true);
    expect(e.problems).toContain(`asset "b" depends on unknown asset "missing"`);
    expect(
      e.problems.some(
        (p) => p.startsWith("dependency cycle: ") && p.includes("c") && p.includes("d"),
      ),
    ).toBe(true);
    expect(e.problems.some((p) => p.includes(`asset "t" → dependency "s"`))).toBe(true);
    // The message lists each problem on its own line.
    expect(e.message.startsWith("Invalid definitions:\n")).toBe(true);
    expect(e.message.split("\n")).toHaveLength(6);
  });

  it("accepts an empty set of assets", () => {
    const defs = Definitions.create({ assets: [] });
    expect(defs.assets).toEqual([]);
    expect(defs.graph.size).toBe(0);
  });
});

describe("Definitions: a valid set", () => {
  const raw = asset("raw/events", [], { partitions: daily, group: "ingest" });
  const lagged = asset(
    "staging/lagged",
    [{ asset: "raw/events", mapping: timeWindowMapping({ offset: -1 }) }],
    { partitions: daily },
  );
  const clean = asset("staging/clean", ["raw/events"], { partitions: daily });
  const ref = asset("ref/countries");
  const mart = asset("marts/summary", ["staging/clean", "ref/countries"]);
  const defs = Definitions.create({ assets: [mart, ref, clean, lagged, raw], resources: { n: 1 } });

  it("builds resources from a factory once, with the runtime environment, and closes them", async () => {
    let built = 0;
    let closed = 0;
    const withFactory = Definitions.create({
      assets: [asset("solo")],
      resources: (env) => {
        built++;
        return { url: env.databaseUrl, close: async () => void closed++ };
      },
    });
    const env = { databaseUrl: "postgres://x", home: "/tmp" };
    const first = await withFactory.resolveResources(env);
    expect(first.url).toBe("postgres://x");
    expect(await withFactory.resolveResources({ databaseUrl: "other", home: "" })).toBe(first);
    expect(built).toBe(1);
    await withFactory.disposeResources();
    expect(closed).toBe(1);
    await withFactory.disposeResources();
    expect(closed).toBe(1);
  });

  it("keeps resources and looks assets up by key", async () => {
    expect(await defs.resolveResources({ databaseUrl: "", home: "" })).toEqual({ n: 1 });
    expect(defs.has("raw/events")).toBe(true);
    expect(defs.has("nope")).toBe(false);
    expect(defs.get("raw/events")).toBe(raw);
    expect(() => defs.get("nope")).toThrow(UnknownAssetError);
  });

  it("lists assets in topological order", () => {
    expect(defs.assets.map((a) => a.key)).toEqual([
      "raw/events",
      "ref/countries",
      "staging/clean",
      "staging/lagged",
      "marts/summary",
    ]);
  });

  it("resolves dependencies with explicit or default mappings", () => {
    expect(defs.deps("raw/events")).toEqual([]);
    expect(defs.deps("staging/clean")).toEqual([
      { asset: "raw/events", mapping: { kind: "identity" }, blockOnChecks: true },
    ]);
    expect(defs.deps("staging/lagged")).toEqual([
      {
        asset: "raw/events",
        mapping: { kind: "time-window", startOffset: -1, endOffset: -1 },
        blockOnChecks: true,
      },
    ]);
    // Unpartitioned downstream of daily, and unpartitioned of unpartitioned: all.
    expect(defs.deps("marts/summary")).toEqual([
      { asset: "staging/clean", mapping: { kind: "all" }, blockOnChecks: true },
      { asset: "ref/countries", mapping: { kind: "all" }, blockOnChecks: true },
    ]);
    expect(defs.deps("unknown")).toEqual([]);
  });

  it("lists dependents, sorted, with the mapping they read through", () => {
    expect(defs.dependents("raw/events")).toEqual([
      { asset: "staging/clean", mapping: { kind: "identity" } },
      { asset: "staging/lagged", mapping: { kind: "time-window", startOffset: -1, endOffset: -1 } },
    ]);
    expect(defs.dependents("staging/clean")).toEqual([
      { asset: "marts/summary", mapping: { kind: "all" } },
    ]);
    expect(defs.dependents("marts/summary")).toEqual([]);
  });

  it("gives a sorted dependency signature, independent of declaration order", () => {
    expect(defs.depsSignature("marts/summary")).toBe("ref/countries,staging/clean");
    expect(defs.depsSignature("raw/events")).toBe("");
    const reordered = Definitions.create({
      assets: [raw, ref, clean, asset("marts/summary", ["ref/countries", "staging/clean"])],
    });
    expect(reordered.depsSignature("marts/summary")).toBe(defs.depsSignature("marts/summary"));
  });

  it("builds the graph from the dependencies", () => {
    expect(defs.graph.parents("marts/summary")).toEqual(["ref/countries", "staging/clean"]);
    expect(defs.graph.children("raw/events")).toEqual(["staging/clean", "staging/lagged"]);
    expect(defs.graph.group("raw/events")).toBe("ingest");
    expect(defs.graph.group("marts/summary")).toBe("default");
  });
});

describe("Definitions.create: schedules and sensors", () => {
  const assets = (): AssetDefinition<unknown>[] => [
    asset("raw/events", [], { partitions: daily }),
    asset("staging/events", ["raw/events"], { partitions: daily, automation: "eager" }),
    asset("ref/countries"),
  ];
  const sensor = (name: string, selection = "raw/events") =>
    defineSensor({ name, selection, evaluate: () => ({}) });

  it("keeps valid schedules, sensors and eager assets", () => {
    const defs = Definitions.create({
      assets: assets(),
      schedules: [
        defineSchedule({
          name: "daily",
          cron: "0 1 * * *",
          selection: "raw/events+",
          partition: () => "2024-08-01",
        }),
        defineSchedule({ name: "refs", cron: "@weekly", timezone: "UTC", selection: "ref/*" }),
      ],
      sensors: [sensor("files")],
    });
    expect(defs.schedules.map((s) => s.name)).toEqual(["daily", "refs"]);
    expect(defs.findSchedule("daily")?.timezone).toBe("Europe/Paris");
    expect(defs.findSensor("files")?.intervalMs).toBe(30_000);
    expect(defs.findSchedule("nope")).toBeUndefined();
    expect(defs.eagerAssets.map((a) => a.key)).toEqual(["staging/events"]);
  });

  it("reports bad cron expressions, timezones, selections and names together", () => {
    let error: unknown;
    try {
      Definitions.create({
        assets: assets(),
        schedules: [
          defineSchedule({ name: "bad-cron", cron: "0 25 * * *", selection: "ref/countries" }),
          defineSchedule({
            name: "bad-tz",
            cron: "0 1 * * *",
            timezone: "Paris",
            selection: "ref/countries",
          }),
          defineSchedule({ name: "unknown", cron: "0 1 * * *", selection: "raw/nothing+" }),
          defineSchedule({ name: "no-partition", cron: "0 1 * * *", selection: "raw/events" }),
          defineSchedule({ name: "refs", cron: "0 1 * * *", selection: "ref/countries" }),
          defineSchedule({ name: "refs", cron: "0 2 * * *", selection: "ref/countries" }),
        ],
        sensors: [sensor("1st"), sensor("eager"), sensor("files", "group:none")],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    const problems = (error as DefinitionError).problems;
    expect((error as DefinitionError).code).toBe("DEFINITION_INVALID");
    expect(problems).toEqual([
      expect.stringMatching(/^schedule "bad-cron": invalid cron expression "0 25 \* \* \*"/),
      'schedule "bad-tz": unknown timezone "Paris"',
      expect.stringMatching(/^schedule "unknown": .*raw\/nothing/),
      'schedule "no-partition": its selection has partitioned assets (raw/events) but it has no partition function',
      'duplicate schedule name "refs"',
      'invalid sensor name "1st" (letters, digits, _ . -, starting with a letter)',
      'sensor name "eager" is reserved for eager automation',
      expect.stringMatching(/^sensor "files": .*no asset in group "none"/),
    ]);
  });

  it("reports asset problems and schedule problems in the same error", () => {
    expect(() =>
      Definitions.create({
        assets: [asset("a", ["missing"])],
        schedules: [defineSchedule({ name: "s", cron: "nope", selection: "a" })],
      }),
    ).toThrow(/depends on unknown asset "missing"[\s\S]*schedule "s": invalid cron expression/);
  });

  it("rejects an unknown automation kind", () => {
    const e = definitionErrorFor([asset("a", [], { automation: "lazy" as unknown as "eager" })]);
    expect(e.problems).toEqual(['asset "a": unknown automation "lazy" (eager)']);
  });
});

describe("Definitions.create: checks", () => {
  const pass = async () => ({ passed: true });

  it("keeps the checks of each asset in declaration order, and the dependencies' opt-out", () => {
    const defs = Definitions.create({
      assets: [asset("a"), asset("b", [{ asset: "a", blockOnChecks: false }]), asset("c", ["a"])],
      checks: [
        defineCheck({ asset: "a", name: "second", severity: "warn", evaluate: pass }),
        defineCheck({ asset: "b", name: "only", evaluate: pass }),
        defineCheck({ asset: "a", name: "first", evaluate: pass }),
      ],
    });
    expect(defs.checksOf("a").map((c) => [c.name, c.severity])).toEqual([
      ["second", "warn"],
      ["first", "error"],
    ]);
    expect(defs.checksOf("c")).toEqual([]);
    expect(defs.deps("b")[0]!.blockOnChecks).toBe(false);
    expect(defs.deps("c")[0]!.blockOnChecks).toBe(true);
  });

  it("rejects checks on unknown assets, duplicates, bad names and severities in one error", () => {
    let error: unknown;
    try {
      Definitions.create({
        assets: [asset("a")],
        checks: [
          defineCheck({ asset: "nope", name: "x", evaluate: pass }),
          defineCheck({ asset: "a", name: "dup", evaluate: pass }),
          defineCheck({ asset: "a", name: "dup", evaluate: pass }),
          defineCheck({ asset: "a", name: "has space", evaluate: pass }),
          defineCheck({ asset: "a", name: "sev", severity: "fatal" as "error", evaluate: pass }),
        ],
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DefinitionError);
    const message = (error as Error).message;
    expect(message).toContain('check "nope:x" is on unknown asset "nope"');
    expect(message).toContain('check "a:dup" is declared twice');
    expect(message).toContain('check "a:has space": the name may hold only');
    expect(message).toContain('check "a:sev": unknown severity "fatal"');
  });
});
