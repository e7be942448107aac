import { createReadStream, createWriteStream, existsSync, type WriteStream } from "node:fs";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { generateDay } from "../packages/assets/src/france-travail/simulator/generate-day";
import { generateStockEtablissement } from "../packages/assets/src/sirene/generator";
import { OfferGenerator } from "../packages/assets/src/france-travail/simulator/offer-generator";

/**
 * The benchmarks' synthetic offers: the original pipeline's stock size, 893,703 offers from the
 * simulator (50,000 a day from 2024-07-01, the last day partial), generated once and cached
 * under .lignee/bench-cache/.
 */
export const OFFERS = 893_703;
const PER_DAY = 50_000;
const SEED = 1;

export const REPO = path.resolve(fileURLToPath(new URL("..", import.meta.url)));
export const BENCH_CACHE = path.join(REPO, ".lignee", "bench-cache");

/** The NDJSON file of all the offers, one per line, in creation order. */
export async function offersFile(log: (m: string) => void): Promise<string> {
  const file = path.join(BENCH_CACHE, `offres-${OFFERS}-seed${SEED}.ndjson`);
  if (existsSync(file)) return file;
  await mkdir(BENCH_CACHE, { recursive: true });
  log(`generating ${OFFERS} offers (cached in ${path.relative(REPO, file)})…`);
  const temp = `${file}.${process.pid}.tmp`;
  const out = createWriteStream(temp);
  const generator = new OfferGenerator(SEED);
  let written = 0;
  for (let d = 0; written < OFFERS; d++) {
    const day = new Date(Date.UTC(2024, 6, 1 + d)).toISOString().slice(0, 10);
    const offers = generateDay(
      generator,
      { seed: SEED, offersPerDay: () => Math.min(PER_DAY, OFFERS - written) },
      day,
    );
    for (const o of offers) await writeLine(out, `${JSON.stringify(o.offer)}\n`);
    written += offers.length;
  }
  out.end();
  await once(out, "finish");
  await rename(temp, file);
  return file;
}

export interface OffersDayFile {
  /** The Paris calendar day of the offers' dateCreation (YYYY-MM-DD). */
  readonly day: string;
  readonly file: string;
  readonly rows: number;
}

/**
 * The offers of `offersFile` split into one NDJSON file per Paris day of `dateCreation`, as the
 * collector files them (`offres-YYYY-MM-DD.ndjson`), cached in a folder next to it (built under
 * a temporary name, then renamed). Ordered by day.
 */
export async function offersDayFiles(log: (m: string) => void): Promise<OffersDayFile[]> {
  const source = await offersFile(log);
  const dir = source.replace(/\.ndjson$/, "-by-day");
  const index = path.join(dir, "days.json");
  if (!existsSync(index)) {
    log(`splitting the offers by Paris day of creation (cached in ${path.relative(REPO, dir)})…`);
    const temp = `${dir}.${process.pid}.tmp`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
    const days = new Map<string, { out: WriteStream; rows: number }>();
    const dayOf = parisDayOfInstant();
    const lines = createInterface({ input: createReadStream(source), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line.length === 0) continue;
      const created = DATE_CREATION.exec(line)?.[1];
      const ms = created === undefined ? NaN : Date.parse(created);
      if (Number.isNaN(ms)) throw new Error(`${source}: an offer without a valid dateCreation`);
      const day = dayOf(ms);
      let entry = days.get(day);
      if (!entry) {
        entry = { out: createWriteStream(path.join(temp, `offres-${day}.ndjson`)), rows: 0 };
        days.set(day, entry);
      }
      await writeLine(entry.out, `${line}\n`);
      entry.rows++;
    }
    for (const { out } of days.values()) {
      out.end();
      await once(out, "finish");
    }
    const list = [...days.entries()]
      .map(([day, { rows }]) => ({ day, rows }))
      .sort((a, b) => a.day.localeCompare(b.day));
    await writeFile(path.join(temp, "days.json"), `${JSON.stringify(list, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(temp, dir);
  }
  const list = JSON.parse(await readFile(index, "utf8")) as { day: string; rows: number }[];
  return list.map(({ day, rows }) => ({ day, rows, file: path.join(dir, `offres-${day}.ndjson`) }));
}

const DATE_CREATION = /"dateCreation":"([^"]+)"/;

/** Instant (ms) → Paris calendar day; Paris offsets are whole hours, so memoised per UTC hour. */
function parisDayOfInstant(): (ms: number) => string {
  const format = new Intl.DateTimeFormat("en-US", {
    timeZone: "Europe/Paris",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  });
  const byHour = new Map<number, string>();
  return (ms) => {
    const hour = Math.floor(ms / 3_600_000);
    let day = byHour.get(hour);
    if (day === undefined) {
      const parts = Object.fromEntries(
        format.formatToParts(new Date(hour * 3_600_000)).map((p) => [p.type, p.value]),
      );
      day = `${parts.year}-${parts.month}-${parts.day}`;
      byHour.set(hour, day);
    }
    return day;
  };
}

async function writeLine(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

/** The synthetic SIRENE stock of the benchmarks: 2.5 million establishments. */
export const SIRENE_ROWS = 2_500_000;
const SIRENE_SEED = 1;

/** The synthetic StockEtablissement CSV (INSEE's format), generated once and cached. */
export async function sireneCsv(log: (message: string) => void): Promise<string> {
  const file = path.join(
    BENCH_CACHE,
    `StockEtablissement_synthetic_${SIRENE_ROWS}_seed${SIRENE_SEED}.csv`,
  );
  if (existsSync(file)) return file;
  await mkdir(BENCH_CACHE, { recursive: true });
  log(`generating ${SIRENE_ROWS} SIRENE establishments (cached in ${path.relative(REPO, file)})…`);
  const temp = `${file}.${process.pid}.tmp`;
  await generateStockEtablissement(temp, { rows: SIRENE_ROWS, seed: SIRENE_SEED });
  await rename(temp, file);
  return file;
}
