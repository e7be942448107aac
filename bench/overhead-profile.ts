import pg from "pg";
import {
  defineAsset,
  Definitions,
  executeRun,
  migrateDatabase,
  PostgresStorage,
  prepareRun,
} from "@lignee/engine";
import { noopChain } from "./engine-overhead";
import { openBenchDatabase } from "./support";

/**
 * Where the time of `bench engine overhead` goes (not a benchmark of its own: nothing is written
 * to bench/results). `node_modules/.bin/tsx bench/overhead-profile.ts` prints, against a
 * temporary embedded PostgreSQL:
 *
 * - the no-op run and the chain of ten through TCP loopback and through the embedded server's
 *   Unix socket (the runtime's local URL), alternated;
 * - the no-op run and the chain of ten, and the chain's time outside its statements (Node);
 * - each statement's latency as the client sees it, and a bare round trip (`SELECT 1`);
 * - a small commit with and without `synchronous_commit` (the fsync of a run's end);
 * - the statements in isolation, ten materialisations one by one and in one transaction, and the
 *   run's end's server time (EXPLAIN ANALYZE, rolled back) with and without its fsync;
 * - each statement's planning and execution time (EXPLAIN ANALYZE, rolled back); with
 *   `SHOW_PLAN=<text>`, the full plan of the statements containing that text.
 */
const log = (m: string): void => console.log(m);

async function main(): Promise<void> {
  const db = await openBenchDatabase(log);
  try {
    await migrateDatabase(db.url);
    const storage = PostgresStorage.connect(db.localUrl);
    const noop = Definitions.create({
      assets: [defineAsset({ key: "overhead/noop", materialize: async () => undefined })],
    });
    const ten = noopChain(10);
    const run = async (d: Definitions<unknown>, sel: string): Promise<number> => {
      const t = performance.now();
      const prepared = prepareRun(d, { selection: sel, partitions: { kind: "none" } }, new Date());
      await executeRun({ definitions: d, storage, prepared });
      return performance.now() - t;
    };
    for (let i = 0; i < 30; i++) {
      await run(noop, "overhead/noop");
      await run(ten, "chain/step_00+");
    }
    await compareTcp(db.url, storage, noop, ten);
    // per-statement client-side latency
    const original = pg.Client.prototype.query;
    const times = new Map<string, number[]>();
    let capture: { text: string; values: unknown[] }[] = [];
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      const q = args[0] as string | { name?: string; text: string; values?: unknown[] };
      const label =
        typeof q === "string"
          ? q.slice(0, 40)
          : (q.name ?? q.text.replace(/\s+/g, " ").slice(0, 40));
      if (typeof q !== "string")
        capture.push({ text: q.text, values: (q.values ?? args[1] ?? []) as unknown[] });
      else capture.push({ text: q, values: (args[1] ?? []) as unknown[] });
      const t = performance.now();
      const done = (): void => {
        const l = times.get(label) ?? [];
        inQueries += performance.now() - t;
        l.push(performance.now() - t);
        times.set(label, l);
      };
      const last = args[args.length - 1];
      if (typeof last === "function") {
        args[args.length - 1] = (...cb: unknown[]) => {
          done();
          return (last as (...a: unknown[]) => unknown)(...cb);
        };
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      }
      const p = (original as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      return p.then((r) => {
        done();
        return r;
      });
    } as typeof original;
    let inQueries = 0;
    const noopT: number[] = [];
    const outside: number[] = [];
    const tenT: number[] = [];
    let noopCapture: typeof capture = [];
    for (let i = 0; i < 200; i++) {
      capture = [];
      noopT.push(await run(noop, "overhead/noop"));
      noopCapture = capture;
      const q0 = inQueries;
      tenT.push(await run(ten, "chain/step_00+"));
      outside.push(tenT[tenT.length - 1]! - (inQueries - q0));
    }
    pg.Client.prototype.query = original;
    const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
    log(
      `noop p50 ${med(noopT).toFixed(2)} ms, ten p50 ${med(tenT).toFixed(2)} ms, ten outside queries p50 ${med(outside).toFixed(2)} ms`,
    );
    for (const [k, v] of times) log(`  ${k.padEnd(42)} n=${v.length} p50 ${med(v).toFixed(3)} ms`);

    // bare round trips
    const client = new pg.Client(db.url);
    client.on("error", () => undefined);
    await client.connect();
    const rt: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t = performance.now();
      await client.query({ name: "one", text: "SELECT 1" });
      rt.push(performance.now() - t);
    }
    log(`SELECT 1 prepared round trip p50 ${med(rt).toFixed(3)} ms`);
    await client.query("CREATE TABLE IF NOT EXISTS public.fs (x int)");
    for (const mode of ["on", "off"]) {
      const s: number[] = [];
      for (let i = 0; i < 200; i++) {
        const t = performance.now();
        await client.query(
          `BEGIN; SET LOCAL synchronous_commit = ${mode}; INSERT INTO public.fs VALUES (1); COMMIT`,
        );
        s.push(performance.now() - t);
      }
      log(`insert+commit synchronous_commit=${mode} p50 ${med(s).toFixed(3)} ms`);
    }
    {
      const c2 = new pg.Client(db.url);
      await c2.connect();
      for (const q of noopCapture.slice(0, 4)) {
        if (!/^\s*WITH/i.test(q.text) || q.text.includes("INSERT INTO lignee.runs")) continue;
        const name = `p${noopCapture.indexOf(q)}`;
        const s: number[] = [];
        for (let i = 0; i < 30; i++) {
          await c2.query("BEGIN");
          const t = performance.now();
          await c2.query({ name, text: q.text, values: q.values });
          s.push(performance.now() - t);
          await c2.query("ROLLBACK");
        }
        log(
          `  isolated ${name} ${q.text.replace(/\s+/g, " ").slice(0, 40)} p50 ${med(s).toFixed(3)} ms`,
        );
      }
      const ps = await c2.query(
        "SELECT name, generic_plans, custom_plans FROM pg_prepared_statements",
      );
      log(JSON.stringify(ps.rows));
      await c2.end();
    }
    {
      const recs = noopCapture
        .filter((q) => q.text.includes("WITH previous AS MATERIALIZED"))
        .slice(-10);
      const c3 = new pg.Client(db.url);
      c3.on("error", () => undefined);
      await c3.connect();
      try {
        const a: number[] = [];
        const b: number[] = [];
        for (let r = 0; r < 40; r++) {
          let t = performance.now();
          for (const q of recs) await c3.query({ name: "rec", text: q.text, values: q.values });
          a.push(performance.now() - t);
          t = performance.now();
          await c3.query("BEGIN; SET LOCAL synchronous_commit TO off");
          for (const q of recs) await c3.query({ name: "rec", text: q.text, values: q.values });
          await c3.query("COMMIT");
          b.push(performance.now() - t);
        }
        log(
          `  ${recs.length} records one by one p50 ${med(a).toFixed(2)} ms; in one transaction p50 ${med(b).toFixed(2)} ms`,
        );
      } catch (e) {
        log(`records: ${(e as Error).message}`);
      }
      await c3.end();
    }
    {
      // the run's end: server time (EXPLAIN ANALYZE, rolled back) and with / without its fsync
      const endQ = noopCapture.find((q) => q.text.includes("WITH finished AS"))!;
      const fresh = async (): Promise<string> => {
        const id = crypto.randomUUID();
        await storage.createRun({
          id,
          status: "STARTED",
          selection: "x",
          assetKeys: ["x"],
          partitionSpec: null,
          hostname: "h",
          pid: 1,
        });
        return id;
      };
      const c4 = new pg.Client(db.url);
      c4.on("error", () => undefined);
      await c4.connect();
      const ex: number[] = [];
      for (let i = 0; i < 20; i++) {
        const id = await fresh();
        await c4.query("BEGIN");
        const r = await c4.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${endQ.text}`, [
          id,
          ...endQ.values.slice(1),
        ]);
        ex.push(
          (r.rows[0] as Record<string, { "Execution Time": number }[]>)["QUERY PLAN"]![0]![
            "Execution Time"
          ],
        );
        await c4.query("ROLLBACK");
      }
      log(`  end run: server execution p50 ${med(ex).toFixed(3)} ms`);
      for (const mode of ["on", "off"]) {
        await c4.query(`SET synchronous_commit = ${mode}`);
        const t4: number[] = [];
        for (let i = 0; i < 40; i++) {
          const id = await fresh();
          const t = performance.now();
          await c4.query({ name: "endq", text: endQ.text, values: [id, ...endQ.values.slice(1)] });
          t4.push(performance.now() - t);
        }
        log(`  end run with synchronous_commit=${mode}: p50 ${med(t4).toFixed(3)} ms`);
      }
      await c4.end();
    }
    // server-side time of each statement of the no-op run, EXPLAIN ANALYZE in a rolled-back tx
    for (const q of noopCapture) {
      if (
        !/^\s*(WITH|INSERT|UPDATE|SELECT)/i.test(q.text) ||
        q.text.includes("INSERT INTO lignee.runs")
      )
        continue;
      await client.query("BEGIN");
      try {
        const r = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${q.text}`, q.values);
        const plan = (r.rows[0] as Record<string, unknown>)["QUERY PLAN"] as {
          "Planning Time": number;
          "Execution Time": number;
        }[];
        log(
          `  server: ${q.text.replace(/\s+/g, " ").slice(0, 50).padEnd(52)} plan ${plan[0]!["Planning Time"].toFixed(3)} exec ${plan[0]!["Execution Time"].toFixed(3)} ms`,
        );
        if (process.env.SHOW_PLAN && q.text.includes(process.env.SHOW_PLAN)) {
          const t = await client.query(`EXPLAIN (ANALYZE, BUFFERS) ${q.text}`, q.values);
          log(t.rows.map((x: Record<string, string>) => x["QUERY PLAN"]).join("\n"));
        }
      } catch (e) {
        log(`  explain failed: ${(e as Error).message}`);
      } finally {
        await client.query("ROLLBACK");
      }
    }
    // Node CPU of prepareRun alone
    const pr: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      prepareRun(ten, { selection: "chain/step_00+", partitions: { kind: "none" } }, new Date());
      pr.push(performance.now() - t);
    }
    log(`prepareRun(chain of ten) p50 ${med(pr).toFixed(3)} ms`);
    await client.end();
    await storage.close();
  } catch (e) {
    console.error("profile failed:", e);
  } finally {
    await db.close();
  }
}
/** The no-op run and the chain of ten through TCP loopback and the Unix socket, alternated. */
async function compareTcp(
  tcpUrl: string,
  local: PostgresStorage,
  noop: Definitions<unknown>,
  ten: Definitions<unknown>,
): Promise<void> {
  const tcp = PostgresStorage.connect(tcpUrl);
  const times = {
    tcpNoop: [] as number[],
    tcpTen: [] as number[],
    noop: [] as number[],
    ten: [] as number[],
  };
  const once = async (
    storage: PostgresStorage,
    d: Definitions<unknown>,
    sel: string,
  ): Promise<number> => {
    const t = performance.now();
    const prepared = prepareRun(d, { selection: sel, partitions: { kind: "none" } }, new Date());
    await executeRun({ definitions: d, storage, prepared });
    return performance.now() - t;
  };
  for (let i = 0; i < 220; i++) {
    const samples = [
      await once(tcp, noop, "overhead/noop"),
      await once(local, noop, "overhead/noop"),
      await once(tcp, ten, "chain/step_00+"),
      await once(local, ten, "chain/step_00+"),
    ];
    if (i < 20) continue;
    times.tcpNoop.push(samples[0]!);
    times.noop.push(samples[1]!);
    times.tcpTen.push(samples[2]!);
    times.ten.push(samples[3]!);
  }
  await tcp.close();
  const med = (a: number[]): string =>
    [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
  log(
    `TCP loopback: no-op p50 ${med(times.tcpNoop)} ms, ten ${med(times.tcpTen)} ms; ` +
      `local URL (the runtime's): no-op ${med(times.noop)} ms, ten ${med(times.ten)} ms`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
