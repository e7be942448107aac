import { randomUUID } from "node:crypto";
import { hostname, userInfo } from "node:os";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "./support/database";
import { fixture, inParallel, lignee as run } from "./support/cli";

/**
 * The CLI end to end, as a user runs it: real child processes, a real PostgreSQL database,
 * the example definitions shipped with the engine (unless a test names other definitions).
 */
let env: Record<string, string>;
const EXAMPLE = ["--definitions", "packages/engine/src/examples/example-definitions.ts"];
const lignee = (
  args: string[],
  e: Record<string, string>,
  onSpawn?: Parameters<typeof run>[2],
): ReturnType<typeof run> =>
  run(args.includes("--definitions") ? args : [...EXAMPLE, ...args], e, onSpawn);

interface StatusJson {
  assets: {
    key: string;
    status: string;
    counts: Record<string, number>;
    total: number;
    health: Record<string, number | string>;
    ranges: Record<string, [string, string][]>;
    causes: { kind: string; description: string; upstream?: string; ranges: [string, string][] }[];
  }[];
}

const status = async (extra: string[] = []): Promise<Map<string, StatusJson["assets"][number]>> => {
  const r = await lignee([...extra, "status", "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  const parsed = JSON.parse(r.stdout) as StatusJson;
  return new Map(parsed.assets.map((a) => [a.key, a]));
};

/** Causes of staleness, without the days waiting on an upstream day never materialised. */
const staleCauses = <C extends { kind: string }>(causes: readonly C[] | undefined): C[] =>
  (causes ?? []).filter((c) => c.kind !== "upstream-missing");

const countRuns = async (): Promise<number> => {
  const r = await lignee(["runs", "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { runs: unknown[] }).runs.length;
};

beforeAll(async () => {
  env = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
});

describe("lignee CLI", () => {
  it("materialises a partition: FRESH, with a run and its events", async () => {
    const r = await lignee(
      ["materialize", "--select", "raw/events+", "--partition", "2024-08-01", "--json"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { runId: string; status: string; steps: number };
    expect(out).toMatchObject({ status: "SUCCESS", steps: 3 });

    const s = await status();
    expect(s.get("raw/events")).toMatchObject({
      status: "FRESH",
      ranges: { FRESH: [["2024-08-01", "2024-08-01"]] },
    });
    expect(s.get("raw/events")?.counts.FRESH).toBe(1);
    expect(s.get("staging/events_clean")?.counts.FRESH).toBe(1);
    // Its headline is its health: one day of many materialised, the rest needing action.
    const events = s.get("raw/events")!;
    expect(events.health).toEqual({
      materialized: 1,
      total: events.total,
      fresh: 1,
      stale: 0,
      failed: 0,
      missing: events.total - 1,
      waiting: 0,
      running: 0,
      worst: "MISSING",
    });
    const text = await lignee(["status", "--select", "raw/events"], env);
    expect(text.stdout).toMatch(
      new RegExp(`raw/events\\s+FRESH\\s+1 / ${events.total} materialised · 0 stale · 0 failed`),
    );
    // marts/summary was built without ref/countries: it waits on it (MISSING, not stale).
    expect(s.get("marts/summary")?.status).toBe("MISSING");
    expect(s.get("marts/summary")?.causes.map((c) => c.description)).toEqual([
      "upstream ref/countries is missing",
    ]);

    const shown = await lignee(["runs", "show", out.runId], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain("SUCCESS");
    expect(shown.stdout).toContain("MATERIALIZATION");
    expect(shown.stdout).toContain("raw/events[2024-08-01]");
    // The run says it was launched from the CLI, by whom.
    const user = userInfo().username;
    expect(shown.stdout).toContain(`launched by: cli (${user})`);
    const listed = await lignee(["runs"], env);
    expect(listed.stdout).toMatch(/LAUNCHED BY/);
    expect(listed.stdout.split("\n").find((l) => l.includes(out.runId))).toContain(`cli (${user})`);
    const json = await lignee(["runs", "show", out.runId, "--json"], env);
    expect((JSON.parse(json.stdout) as { run: { launchedBy: unknown } }).run.launchedBy).toEqual({
      kind: "cli",
      detail: user,
    });
  });

  it("a range over the whole lineage makes everything FRESH; text status lists every asset", async () => {
    const r = await lignee(
      ["materialize", "--select", "+marts/summary", "--from", "2024-08-01", "--to", "2024-08-03"],
      env,
    );
    expect(r.code, r.stderr).toBe(0);
    const s = await status();
    for (const key of ["raw/events", "staging/events_clean", "ref/countries", "marts/summary"]) {
      expect(s.get(key)?.status, key).toBe("FRESH");
    }
    expect(s.get("raw/events")?.ranges.FRESH).toEqual([["2024-08-01", "2024-08-03"]]);
    const text = await lignee(["status", "--select", "group:ingest"], env);
    expect(text.stdout).toMatch(/raw\/events\s+FRESH\s+3 \/ \d+ materialised/);
    expect(text.stdout).not.toContain("marts/summary");
  });

  it("re-materialising an upstream partition makes that partition downstream STALE", async () => {
    expect(
      (await lignee(["materialize", "--select", "raw/events", "--partition", "2024-08-02"], env))
        .code,
    ).toBe(0);
    const s = await status();
    const staging = s.get("staging/events_clean")!;
    expect(staging.status).toBe("STALE");
    expect(staging.ranges.STALE).toEqual([["2024-08-02", "2024-08-02"]]);
    expect(staleCauses(staging.causes)).toEqual([
      expect.objectContaining({
        kind: "upstream-newer",
        upstream: "raw/events",
        ranges: [["2024-08-02", "2024-08-02"]],
      }),
    ]);
    expect(staleCauses(s.get("marts/summary")?.causes).map((c) => c.description)).toEqual([
      "upstream staging/events_clean is stale",
    ]);
    // Rebuilding it clears the causes.
    expect(
      (
        await lignee(
          ["materialize", "--select", "staging/events_clean+", "--partition", "2024-08-02"],
          env,
        )
      ).code,
    ).toBe(0);
    const after = await status();
    expect(after.get("staging/events_clean")?.status).toBe("FRESH");
    expect(after.get("marts/summary")?.status).toBe("FRESH");
  });

  it("bumping a code version makes that asset and its downstream STALE with causes", async () => {
    const s = await status(["--definitions", fixture("example-bumped.ts")]);
    const staging = s.get("staging/events_clean")!;
    expect(staging.status).toBe("STALE");
    expect(staging.counts.STALE).toBe(3);
    expect(staleCauses(staging.causes).map((c) => c.description)).toEqual([
      "code version changed (1 → 2)",
    ]);
    expect(staleCauses(s.get("marts/summary")?.causes).map((c) => c.description)).toEqual([
      "upstream staging/events_clean is stale",
    ]);
    expect(s.get("raw/events")?.status).toBe("FRESH");
    expect(s.get("ref/countries")?.status).toBe("FRESH");
  });

  it("a failed run exits 1 and the asset is FAILED", async () => {
    const before = await countRuns();
    const r = await lignee(
      [
        "--definitions",
        fixture("example-failing.ts"),
        "materialize",
        "--select",
        "staging/events_clean",
        "--partition",
        "2024-08-05",
      ],
      env,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("simulated failure");
    expect(r.stdout).toContain("FAILURE");
    expect(await countRuns()).toBe(before + 1);
    const s = await status();
    expect(s.get("staging/events_clean")?.counts.FAILED).toBe(1);
  });

  it("rejects bad input with exit 2, one line, and no run", async () => {
    const before = await countRuns();
    const cases: [string[], RegExp][] = [
      [
        ["materialize", "--select", "raw/events", "--partition", "2024-02-30"],
        /invalid partition key "2024-02-30"/,
      ],
      [["materialize", "--select", "raw/events", "--partition", "2023-01-01"], /out of range/],
      [["materialize", "--select", "raw/events", "--partition", "2999-01-01"], /out of range/],
      [["materialize", "--select", "raw/events"], /is partitioned/],
      [["materialize", "--select", "nope/nope"], /Unknown asset "nope\/nope"/],
      [["materialize", "--select", "ref/countries,,"], /empty item/],
      [["materialize", "--select", "group:nothing"], /no asset in group/],
      [
        ["materialize", "--select", "raw/events", "--from", "2024-08-03", "--to", "2024-08-01"],
        /reversed/,
      ],
      [
        [
          "materialize",
          "--select",
          "raw/events",
          "--partition",
          "2024-08-01",
          "--from",
          "2024-08-01",
        ],
        /either --partition/,
      ],
      [["status", "--select", "nope"], /Unknown asset/],
      [["runs", "show", randomUUID()], /Unknown run/],
    ];
    const results = await inParallel(cases, ([args]) => lignee(args, env));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr, args.join(" ")).toMatch(message);
    }
    expect(await countRuns()).toBe(before);
    // Eleven CLI processes, each loading the engine: room for a machine busy with other tests.
  }, 120_000);

  it("invalid definitions (a cycle) fail with one clear error naming the cycle, nothing started", async () => {
    const before = await countRuns();
    const r = await lignee(
      ["--definitions", fixture("cycle.ts"), "materialize", "--select", "shop/customers"],
      env,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/dependency cycle: shop\/\w+ → shop\/\w+ → shop\/\w+ → shop\/\w+/);
    for (const k of ["shop/orders", "shop/invoices", "shop/payments"])
      expect(r.stderr).toContain(k);
    expect(r.stderr).not.toContain("shop/customers →");
    expect(await countRuns()).toBe(before);
  });

  it("Ctrl-C during a run cancels it: exit 1, the run CANCELED", async () => {
    const r = await lignee(
      ["--definitions", fixture("example-slow.ts"), "materialize", "--select", "ref/countries"],
      env,
      (child) => {
        // Interrupt once the run has started (its id is announced on stderr).
        let sent = false;
        child.stderr?.on("data", (d: Buffer) => {
          if (!sent && /run [0-9a-f-]{36}: 1 step/.test(d.toString())) {
            sent = true;
            setTimeout(() => child.kill("SIGINT"), 300);
          }
        });
      },
    );
    expect(r.code, r.stderr).toBe(1);
    const id = /run ([0-9a-f-]{36}) CANCELED/.exec(r.stdout)?.[1];
    expect(id, r.stdout).toBeDefined();
    const shown = await lignee(["runs", "show", id!, "--json"], env);
    expect((JSON.parse(shown.stdout) as { run: { status: string } }).run.status).toBe("CANCELED");
  });

  it("on start, a run left STARTED by a dead process is marked FAILED with a reason", async () => {
    const client = new pg.Client({ connectionString: env.DATABASE_URL });
    await client.connect();
    const id = randomUUID();
    try {
      await client.query(
        `INSERT INTO lignee.runs (id, status, selection, asset_keys, hostname, pid, started_at)
         VALUES ($1, 'STARTED', 'raw/events', '["raw/events"]', $2, 999999, now())`,
        [id, hostname()],
      );
      const r = await lignee(["runs", "--json"], env);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`run ${id} was left running`);
      const runs = (
        JSON.parse(r.stdout) as { runs: { id: string; status: string; error: string }[] }
      ).runs;
      const recovered = runs.find((x) => x.id === id);
      expect(recovered?.status).toBe("FAILURE");
      expect(recovered?.error).toMatch(/pid 999999/);
    } finally {
      await client.end();
    }
  });
});

describe("lignee materialize --stale", () => {
  it("materialises what is missing or stale, then exits 2 with one line when nothing is", async () => {
    const own = { DATABASE_URL: await createTestDatabase({ migrate: false }) };
    const runIds = async (): Promise<string[]> => {
      const r = await lignee(["runs", "--json"], own);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { runs: { id: string }[] }).runs.map((x) => x.id);
    };

    // marts/summary reads staging/events_clean, never built: it waits on it and is left out.
    const first = await lignee(["materialize", "--select", "ref/countries+", "--stale"], own);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("materialising what is missing, stale or failed: ref/countries");
    expect(first.stderr).toContain(
      "left out 1 partition of marts/summary: upstream staging/events_clean is missing (--with-upstream builds it too)",
    );
    expect(first.stdout).toMatch(/SUCCESS \(1\/1 steps\)/);

    // One day of raw/events: staging can build that day; the others wait on raw/events.
    const day = ["materialize", "--select", "raw/events", "--partition", "2024-08-01"];
    expect((await lignee(day, own)).code).toBe(0);
    const json = await lignee(
      ["materialize", "--select", "staging/events_clean", "--stale", "--json"],
      own,
    );
    expect(json.code, json.stderr).toBe(0);
    const out = JSON.parse(json.stdout) as {
      runId: string;
      leftOut: { assetKey: string; partitions: number; reason: string }[];
    };
    expect(out).toMatchObject({ status: "SUCCESS", steps: 1 });
    expect(out.leftOut).toEqual([
      {
        assetKey: "staging/events_clean",
        partitions: expect.any(Number) as number,
        reason: expect.stringMatching(
          /^upstream raw\/events\[2024-05-23, 2024-05-24, 2024-05-25\] and \d+ more are missing$/,
        ) as string,
      },
    ]);
    const shown = await lignee(["runs", "show", out.runId, "--json"], own);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      run: { assetKeys: ["staging/events_clean"], partitionSpec: { kind: "stale" } },
    });
    const misplaced = await lignee(
      ["materialize", "--select", "raw/events", "--partition", "2024-08-01", "--with-upstream"],
      own,
    );
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr.trim()).toBe("error: --with-upstream goes with --stale");

    const before = await runIds();
    const nothing = await lignee(["materialize", "--select", "ref/countries", "--stale"], own);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr.trim()).toBe(
      "error: nothing to materialise: every selected asset is fresh",
    );
    const mixed = await lignee(
      ["materialize", "--select", "raw/events", "--stale", "--partition", "2024-08-01"],
      own,
    );
    expect(mixed.code).toBe(2);
    expect(mixed.stderr.trim()).toBe(
      "error: give either --stale or --partition, not both (--stale takes --from/--to)",
    );
    expect(await runIds()).toEqual(before);

    // Within a range: the days of it not fresh yet, each step and materialisation printed
    // with --log; then nothing is left to do in that range.
    const ranged = [
      "--select",
      "raw/events",
      "--stale",
      "--from",
      "2024-08-05",
      "--to",
      "2024-08-06",
    ];
    const loaded = await lignee(["materialize", ...ranged, "--log"], own);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stderr).toContain("… raw/events[2024-08-05]");
    expect(loaded.stderr).toContain("  raw/events[2024-08-05]: collected 2024-08-05");
    expect(loaded.stderr).toContain("✓ raw/events[2024-08-05] materialised: 100 rows");
    expect(loaded.stderr).toContain("✓ raw/events[2024-08-06] materialised: 100 rows");
    const again = await lignee(["materialize", ...ranged], own);
    expect(again.code).toBe(2);
    expect(again.stderr.trim()).toBe(
      "error: nothing to materialise: every selected asset is fresh",
    );
  });
});
