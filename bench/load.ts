import { spawn } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { chmod, mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { once } from "node:events";
import pg from "pg";
import { OFFRES_DDL } from "../packages/assets/src/offres/table";
import { copyValue } from "../packages/assets/src/warehouse/copy-text";
import { OFFERS, offersFile, REPO } from "./offers-file";
import { machineInfo, openBenchDatabase, writeResults } from "./support";

/**
 * `pnpm bench load`: loads the original pipeline's stock — 893,703 offers — from NDJSON into
 * raw.offres with the real loader (in a child process, to measure its peak RSS alone), and
 * compares it with a server-side `COPY … FROM 'file'` of the same rows in the same run.
 * Targets: loader time ≤ 1.25 × server-side COPY, peak RSS ≤ 300 MB.
 */
const DAY = "2024-08-01";

export async function run(): Promise<void> {
  const log = (m: string): void => console.error(m);
  const ndjson = await offersFile(log);
  const db = await openBenchDatabase(log);
  const work = await mkdtemp(path.join(tmpdir(), "lignee-bench-load-"));
  try {
    // The server reads the COPY file itself: the directory must be readable by its user.
    await chmod(work, 0o755);
    const copyFile = path.join(work, "offres.copy");
    log("writing the same rows in COPY format for the server-side baseline…");
    await writeCopyFile(ndjson, copyFile);
    await chmod(copyFile, 0o644);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query(OFFRES_DDL);
    const serverSide: number[] = [];
    const loader: { ms: number; maxRssBytes: number; rows: number; bytes: number }[] = [];
    try {
      for (let round = 1; round <= 2; round++) {
        await client.query("TRUNCATE raw.offres");
        await client.query("CHECKPOINT");
        log(`round ${round}: loader…`);
        loader.push(await runLoader(db.url, ndjson));
        await client.query("TRUNCATE raw.offres");
        await client.query("CHECKPOINT");
        log(`round ${round}: server-side COPY…`);
        const started = performance.now();
        await client.query("BEGIN");
        await client.query("DELETE FROM raw.offres WHERE jour = $1", [DAY]);
        await client.query(
          `COPY raw.offres (jour, id, data) FROM '${copyFile.replace(/'/g, "''")}'`,
        );
        await client.query("COMMIT");
        serverSide.push(performance.now() - started);
      }
      const count = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM raw.offres");
      if (count.rows[0]?.n !== OFFERS)
        throw new Error(`expected ${OFFERS} rows, found ${count.rows[0]?.n}`);
    } finally {
      await client.end();
    }
    const bestLoader = loader.reduce((a, b) => (b.ms < a.ms ? b : a));
    const bestServer = Math.min(...serverSide);
    if (bestLoader.rows !== OFFERS)
      throw new Error(`loader loaded ${bestLoader.rows} rows, expected ${OFFERS}`);
    const ratio = bestLoader.ms / bestServer;
    const peakRssMb = Math.max(...loader.map((l) => l.maxRssBytes)) / 2 ** 20;
    const results = [
      {
        name: "load_offres_ndjson",
        rows: OFFERS,
        fileBytes: bestLoader.bytes,
        loaderMs: round(bestLoader.ms),
        loaderRowsPerSecond: Math.round(OFFERS / (bestLoader.ms / 1000)),
        serverCopyMs: round(bestServer),
        serverCopyRowsPerSecond: Math.round(OFFERS / (bestServer / 1000)),
        allLoaderMs: loader.map((l) => round(l.ms)),
        allServerCopyMs: serverSide.map(round),
        ratio: round(ratio),
        ratioTarget: 1.25,
        ratioMet: ratio <= 1.25,
        peakRssMb: round(peakRssMb),
        peakRssTargetMb: 300,
        peakRssMet: peakRssMb <= 300,
        originalPipelineSeconds: 20,
      },
    ];
    const file = await writeResults("load", {
      machine: machineInfo(),
      database: db.description,
      date: new Date().toISOString(),
      results,
    });
    const r = results[0]!;
    console.log(
      `load ${OFFERS} offers: loader ${(r.loaderMs / 1000).toFixed(1)} s (${r.loaderRowsPerSecond} rows/s), ` +
        `server-side COPY ${(r.serverCopyMs / 1000).toFixed(1)} s, ratio ${r.ratio} (target ≤ 1.25), ` +
        `peak RSS ${r.peakRssMb} MB (target ≤ 300) → ${file}`,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
    await db.close();
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The same rows as the loader writes (jour, id, data), in COPY text format. */
async function writeCopyFile(ndjson: string, target: string): Promise<void> {
  const out = createWriteStream(target);
  const lines = createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const id = (JSON.parse(line) as { id: string }).id;
    if (!out.write(`${DAY}\t${copyValue(id)}\t${copyValue(line)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  if ((await stat(target)).size === 0) throw new Error("empty COPY file");
}

function runLoader(
  url: string,
  file: string,
): Promise<{ ms: number; maxRssBytes: number; rows: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      path.join(REPO, "node_modules/.bin/tsx"),
      ["--conditions=lignee-source", path.join(REPO, "bench/load-worker.ts"), url, file, DAY],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`loader exited with ${code}`));
      resolve(JSON.parse(out) as { ms: number; maxRssBytes: number; rows: number; bytes: number });
    });
  });
}
