import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readCog, type CogCommune } from "../reference/cog";
import { readNaf } from "../reference/naf";
import { STOCK_ETABLISSEMENT_COLUMNS } from "./columns";
import { createRandom, WeightedSampler, type Random } from "./random";
import { luhnCheckDigit } from "./siret";
import * as words from "./vocabulary";

export interface GenerateOptions {
  /** Number of establishments (data rows). */
  readonly rows: number;
  /** Same seed, same file. Default 1. */
  readonly seed?: number;
  /** Share of active ('A') establishments; the rest are closed ('F'). Default 0.85. */
  readonly activeRate?: number;
}

export interface GenerateStats {
  readonly rows: number;
  /** Rows with etatAdministratifEtablissement = 'A', counted while writing them. */
  readonly active: number;
  /** Bytes of CSV (uncompressed). */
  readonly bytes: number;
  readonly durationMs: number;
}

/** The name of the CSV inside INSEE's `StockEtablissement_utf8.zip`. */
export const STOCK_ETABLISSEMENT_ENTRY = "StockEtablissement_utf8.csv";

/** Rows are yielded in buffers of this size: few writes, little memory. */
const CHUNK = 1 << 20;

/**
 * Yields a synthetic `StockEtablissement` CSV as ~1 MiB buffers: INSEE's header with all its
 * columns in the official order, then one establishment per line, comma-separated, fields
 * quoted only when they hold a comma, a quote or a line break (as INSEE writes them).
 * Establishments are located in real communes drawn by population (Paris, Lyon and Marseille
 * by arrondissement, as SIRENE codes them), carry real NAF rév. 2 sous-classes ("47.11F",
 * nomenclature "NAFRev2"), Luhn-valid SIREN and SIRET, and are grouped by enterprise with the
 * first one as siège. Deterministic from the seed; `stats` is filled in as rows are yielded.
 *
 * @example
 * const stats = { rows: 0, active: 0, bytes: 0 };
 * for (const chunk of stockEtablissementChunks({ rows: 1000, seed: 7 }, stats)) out.write(chunk);
 */
export function* stockEtablissementChunks(
  options: GenerateOptions,
  stats: { rows: number; active: number; bytes: number } = { rows: 0, active: 0, bytes: 0 },
): Generator<Buffer> {
  checkOptions(options);
  const seed = options.seed ?? 1;
  const random = createRandom(seed);
  const activeRate = options.activeRate ?? 0.85;
  const rowOf = rowBuilder(random);
  // Rows are written straight into a buffer, not concatenated into a string first: that
  // halves the garbage collector's work on a multi-million-row file.
  let chunk = Buffer.allocUnsafe(CHUNK);
  let used = chunk.write(`${STOCK_ETABLISSEMENT_COLUMNS.join(",")}\n`, 0, "utf8");
  // SIRENs are a bijection of the enterprise number (a multiplier prime to 10^8), so they are
  // unique without remembering the ones already drawn, and do not look sequential.
  const sirenOffset = ((((seed % 1e8) + 1e8) % 1e8) * 48_271 + 31_415_926) % 1e8;
  let enterprise = 0;
  while (stats.rows < options.rows) {
    const body = (enterprise * 39_916_801 + sirenOffset) % 1e8;
    enterprise++;
    const siren8 = String(body).padStart(8, "0");
    const siren = siren8 + luhnCheckDigit(siren8);
    const establishments = establishmentsPerEnterprise(random);
    for (let k = 0; k < establishments && stats.rows < options.rows; k++) {
      const active = random.next() < activeRate;
      const row = rowOf(siren, k, active);
      // A row is a few hundred bytes; 3 bytes per character bounds any UTF-8 it could hold.
      if (used + row.length * 3 > CHUNK) {
        stats.bytes += used;
        yield chunk.subarray(0, used);
        chunk = Buffer.allocUnsafe(CHUNK);
        used = 0;
      }
      used += chunk.write(row, used, "utf8");
      stats.rows++;
      if (active) stats.active++;
    }
  }
  stats.bytes += used;
  yield chunk.subarray(0, used);
}

/**
 * Writes a synthetic `StockEtablissement` file (see `stockEtablissementChunks`) to `output`,
 * streamed with back-pressure so memory stays flat at any size; with `zip`, as a zip holding
 * one `StockEtablissement_utf8.csv`, like INSEE's download (deflate level 1 by default: the
 * zip is for the loader, and level 1 keeps the generator fast).
 *
 * @example
 * const stats = await generateStockEtablissement("/tmp/stock.zip", { rows: 2_500_000, zip: true });
 */
export async function generateStockEtablissement(
  output: string,
  options: GenerateOptions & { zip?: boolean; compressionLevel?: number; signal?: AbortSignal },
): Promise<GenerateStats> {
  checkOptions(options);
  const started = performance.now();
  const stats = { rows: 0, active: 0, bytes: 0 };
  const source = Readable.from(stockEtablissementChunks(options, stats), {
    objectMode: false,
    // A few chunks of slack let the generator run while zlib compresses on another thread.
    highWaterMark: 8 * CHUNK,
  });
  const signal = options.signal ? { signal: options.signal } : {};
  try {
    if (options.zip) {
      // Imported here: yazl is a development dependency, needed only to write zips.
      const { ZipFile } = await import("yazl");
      const zip = new ZipFile();
      const zipped = zip.outputStream as Readable;
      // yazl reports a failing input on the ZipFile, not on its output: pass it on, or the
      // pipeline below would wait forever.
      zip.on("error", (error: Error) => zipped.destroy(error));
      zip.addReadStream(source, STOCK_ETABLISSEMENT_ENTRY, {
        compressionLevel: options.compressionLevel ?? 1,
      });
      zip.end();
      await pipeline(zipped, createWriteStream(output), signal);
    } else {
      await pipeline(source, createWriteStream(output), signal);
    }
  } catch (error) {
    source.destroy();
    // Half a file would pass for a smaller one.
    await rm(output, { force: true });
    throw error;
  }
  return { ...stats, durationMs: Math.round(performance.now() - started) };
}

/** SIRENs come from an 8-digit enterprise number, hence the upper bound (the real stock: ~40 M). */
const MAX_ROWS = 100_000_000;

function checkOptions(options: GenerateOptions): void {
  if (!Number.isInteger(options.rows) || options.rows < 0 || options.rows > MAX_ROWS) {
    throw new RangeError(`rows must be an integer from 0 to ${MAX_ROWS}, got ${options.rows}`);
  }
  if (options.seed !== undefined && !Number.isSafeInteger(options.seed)) {
    throw new RangeError(`seed must be an integer, got ${options.seed}`);
  }
  const rate = options.activeRate ?? 0.85;
  if (!(rate >= 0 && rate <= 1)) throw new RangeError(`activeRate must be in [0, 1], got ${rate}`);
}

/** Most enterprises have a single establishment; a few have many. */
function establishmentsPerEnterprise(random: Random): number {
  const u = random.next();
  if (u < 0.8) return 1;
  if (u < 0.92) return 2;
  if (u < 0.97) return 3 + random.int(3);
  return 6 + random.int(20);
}

interface Place {
  readonly code: string;
  /** As SIRENE writes it: capitals, no accents ("L'ABERGEMENT-CLEMENCIAT", "PARIS 1"). */
  readonly libelle: string;
  /** The label of its cedex distribution ("PARIS 1 CEDEX"). */
  readonly libelleCedex: string;
  readonly postcodes: readonly string[];
  readonly population: number;
}

/** Cities SIRENE locates by arrondissement, never by the commune itself. */
const BY_ARRONDISSEMENT = new Set(["75056", "13055", "69123"]);
/**
 * Collectivities outside SIRENE: the TAAF, Wallis-et-Futuna, Polynesia, New Caledonia and
 * Clipperton keep their own registers (Saint-Pierre-et-Miquelon, Saint-Barthélemy and
 * Saint-Martin are in SIRENE).
 */
const OUTSIDE_SIRENE = new Set(["984", "986", "987", "988", "989"]);

/** Built once per process: reading the COG takes a few hundred milliseconds. */
let placesCache: Place[] | undefined;

function places(): Place[] {
  if (placesCache) return placesCache;
  const kept = (c: CogCommune): boolean =>
    !BY_ARRONDISSEMENT.has(c.code) &&
    !OUTSIDE_SIRENE.has(c.departement) &&
    (c.population ?? 0) > 0 &&
    (c.codesPostaux?.length ?? 0) > 0;
  placesCache = readCog()
    .communes.filter(kept)
    .map((c) => ({
      code: c.code,
      libelle: csvField(sireneCommuneLabel(c)),
      libelleCedex: csvField(`${sireneCommuneLabel(c)} CEDEX`),
      postcodes: c.codesPostaux ?? [],
      population: c.population ?? 0,
    }));
  return placesCache;
}

function sireneCommuneLabel(c: CogCommune): string {
  const arrondissement = /^(.*) (\d+)(?:er|e) Arrondissement$/.exec(c.nom);
  const name = arrondissement ? `${arrondissement[1]} ${arrondissement[2]}` : c.nom;
  return name
    .replace(/œ/g, "oe")
    .replace(/Œ/g, "OE")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase();
}

interface Activity {
  readonly code: string;
  readonly weight: number;
}

function activities(): Activity[] {
  const sousClasses = readNaf().sousClasses;
  const perDivision = new Map<string, number>();
  for (const s of sousClasses)
    perDivision.set(s.code.slice(0, 2), (perDivision.get(s.code.slice(0, 2)) ?? 0) + 1);
  return sousClasses.map((s) => {
    const division = s.code.slice(0, 2);
    return {
      code: s.code,
      weight: (words.DIVISION_WEIGHTS[division] ?? 1) / (perDivision.get(division) ?? 1),
    };
  });
}

/** Quotes a field the way INSEE does: only when it must. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, "0"));

/**
 * A date is an index of the days from 1950-01-01 to the stock's date, so "after" is a
 * comparison; the table of those days formatted (`dayTable`) is built once, on first use (not
 * when the definitions that import this module load).
 */
const FIRST_DAY = Date.UTC(1950, 0, 1);
const STOCK_DAY = Date.UTC(2025, 11, 31);
const DAY_MS = 86_400_000;
const dayIndex = (iso: string): number => (Date.parse(iso) - FIRST_DAY) / DAY_MS;
const LAST = (STOCK_DAY - FIRST_DAY) / DAY_MS;
const TREATMENT_START = dayIndex("2014-01-01");
const NAF_REV2_START = dayIndex("2008-01-01");
let days: readonly string[] | undefined;
const dayTable = (): readonly string[] =>
  (days ??= Array.from({ length: LAST + 1 }, (_, i) =>
    new Date(FIRST_DAY + i * DAY_MS).toISOString().slice(0, 10),
  ));

/** Builds one CSV line per call; the samplers are built once, from the reference packages. */
function rowBuilder(random: Random): (siren: string, index: number, active: boolean) => string {
  const DAYS = dayTable();
  const placeSampler = new WeightedSampler(places(), (p) => p.population);
  const activitySampler = new WeightedSampler(activities(), (a) => a.weight);
  const weighted = (list: words.Weighted) => new WeightedSampler(list, ([, w]) => w);
  const tranchesActifs = weighted(words.TRANCHES_ACTIFS);
  const tranchesFermes = weighted(words.TRANCHES_FERMES);
  const typesVoie = weighted(words.TYPES_VOIE);

  /** A creation day: recent ones are far more frequent (half the stock is under 8 years old). */
  const creationDay = (): number => {
    const back = Math.floor(-Math.log(1 - random.next()) * 11 * 365.25);
    return back <= LAST ? LAST - back : random.int(LAST + 1);
  };
  /** A day between `from` and the stock's date, inclusive. */
  const dayFrom = (from: number): number => from + random.int(LAST - from + 1);

  return (siren, index, active) => {
    const nic4 = String(index + 1).padStart(4, "0");
    const nic = nic4 + luhnCheckDigit(siren + nic4);
    const place = placeSampler.draw(random);
    const postcode =
      place.postcodes.length === 1 ? (place.postcodes[0] as string) : random.pick(place.postcodes);
    const masked = random.chance(0.05); // statut de diffusion partielle: the street is withheld
    const createdDay = creationDay();
    const created = random.chance(0.01) ? "" : (DAYS[createdDay] as string);
    const treatedAt =
      `${DAYS[dayFrom(Math.max(createdDay, TREATMENT_START))]}` +
      `T${PAD2[random.int(24)]}:${PAD2[random.int(60)]}:${PAD2[random.int(60)]}`;

    const [tranche] = (active ? tranchesActifs : tranchesFermes).draw(random);
    const employs = tranche !== "" && tranche !== "NN" && tranche !== "00";
    const annee = tranche === "" || tranche === "NN" ? "" : String(2021 + random.int(3));
    const employeur = tranche === "" ? "" : employs ? "O" : "N";

    let numero = "";
    let indice = "";
    let [typeVoie] = typesVoie.draw(random);
    let libelleVoie = "";
    if (typeVoie === "LD") libelleVoie = random.pick(words.LIEUX_DITS);
    else if (typeVoie === "") libelleVoie = random.chance(0.5) ? "LE BOURG" : "";
    else {
      libelleVoie = random.pick(words.LIBELLES_VOIE);
      numero = random.chance(0.85) ? String(1 + Math.floor(Math.exp(random.next() * 5.3))) : "";
      indice = numero !== "" && random.chance(0.03) ? "B" : "";
    }
    let complement = random.chance(0.08) ? random.pick(words.COMPLEMENTS) : "";
    // A BAN identifier: commune_street[_number], for the establishments the INSEE geocoded.
    let banId = "";
    if (random.chance(0.6)) {
      banId = `${place.code}_${String(random.int(10_000)).padStart(4, "0")}`;
      if (numero !== "") banId += `_${numero.padStart(5, "0")}`;
    }
    if (masked) {
      numero = numero && "[ND]";
      indice = indice && "[ND]";
      typeVoie = typeVoie && "[ND]";
      libelleVoie = libelleVoie && "[ND]";
      complement = complement && "[ND]";
      banId = banId && "[ND]";
    }
    const special = random.chance(0.02) ? `BP ${1 + random.int(999)}` : "";
    const cedex = special !== "" && random.chance(0.5);

    let naf = activitySampler.draw(random).code;
    let nomenclature = "NAFRev2";
    let debut = DAYS[createdDay] as string;
    if (!active) {
      debut = DAYS[dayFrom(createdDay)] as string; // the day it closed
      if (createdDay < NAF_REV2_START && random.chance(0.15)) {
        naf = random.pick(words.NAF_REV1_CODES);
        nomenclature = "NAFRev1";
      }
    } else if (createdDay < NAF_REV2_START && random.chance(0.5)) {
      debut = "2008-01-01"; // the switch to NAF rév. 2 opened a new period for most establishments
    }

    const enseigne = random.chance(active ? 0.22 : 0.1) ? enseigneOf(random) : "";
    const enseigne2 =
      enseigne !== "" && random.chance(0.04) ? csvField(random.pick(words.ENSEIGNE_SUFFIXES)) : "";
    const denomination = random.chance(0.07)
      ? `${random.pick(words.NOMS)} ${random.pick(words.DENOMINATION_SUFFIXES)}`
      : "";

    // Same order as STOCK_ETABLISSEMENT_COLUMNS; the long runs of commas are the address
    // fields the stock leaves empty for almost every establishment (second address, abroad,
    // coordinates, which would only be misleading if invented).
    return (
      `${siren},${nic},${siren}${nic},${masked ? "P" : "O"},${created},${tranche},${annee},,${treatedAt},` +
      `${index === 0},${1 + random.int(5)},${complement},${numero},${indice},,,${typeVoie},${libelleVoie},` +
      `${postcode},${place.libelle},,${special},${place.code},${cedex ? postcode : ""},${cedex ? place.libelleCedex : ""},,,` +
      `${banId},,,,,,,,,,,,,,,,,${debut},${active ? "A" : "F"},${enseigne},${enseigne2},,${denomination},` +
      `${naf},${nomenclature},${employeur},\n`
    );
  };
}

/** A shop sign; now and then one with a comma or quotes, which the file must quote. */
function enseigneOf(random: Random): string {
  const u = random.next();
  const base = `${random.pick(words.ENSEIGNES)} ${random.chance(0.5) ? random.pick(words.ENSEIGNE_SUFFIXES) : random.pick(words.NOMS)}`;
  if (u < 0.03) return csvField(`${base}, ${random.pick(words.NOMS)}`);
  if (u < 0.04) return csvField(`LE "${random.pick(words.ENSEIGNE_SUFFIXES)}"`);
  return base;
}
