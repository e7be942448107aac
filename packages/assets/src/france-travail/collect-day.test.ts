import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { S3RawStore } from "@lignee/engine";
import { startS3Proxy } from "../../../../tests/support/s3proxy";
import { FranceTravailClient } from "./client";
import { collectDay, offresFilePath } from "./collect-day";
import { FranceTravailError } from "./errors";
import { parisDayWindow } from "./paris-time";
import { hotDay } from "./simulator/options";
import { type RunningSimulator, startSimulator } from "./simulator/server";

const SMALL = "2024-08-01";
const HOT = "2024-08-02";
const LARGE = "2024-08-05";
const STUCK = "2024-08-06";
const BUSY = ["2024-09-09", "2024-09-10"] as const;
const OFFERS: Record<string, number> = {
  [BUSY[0]]: 20_000,
  [BUSY[1]]: 20_000,
  [SMALL]: 2000,
  [HOT]: 3000,
  [LARGE]: 8000,
  [STUCK]: 300,
  "2024-10-27": 4000,
  "2025-03-30": 4000,
};

let sim: RunningSimulator;
let dataDir: string;
const searches: URLSearchParams[] = [];

beforeAll(async () => {
  sim = await startSimulator({
    seed: 5,
    offersPerDay: (day) => OFFERS[day] ?? 100,
    rateLimitPerSecond: 0,
    hotspots: [
      ...hotDay(HOT, { romeCode: "K2204", departement: "75" }),
      // 3,300 offers in one second with the same ROME code and département: unreachable.
      { day: STUCK, count: 3300, at: "11:00:00", romeCode: "D1106", departement: "13" },
    ],
    onSearch: (params) => searches.push(params),
  });
});

afterAll(async () => {
  await sim.close();
});

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-collect-"));
  searches.length = 0;
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function client(): FranceTravailClient {
  return new FranceTravailClient({ config: sim.clientConfig() });
}

async function idsInFile(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  return text
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

describe("collectDay", () => {
  it("pages a day that fits in one query and writes the API's JSON unchanged", async () => {
    const stats = await collectDay(SMALL, { dataDir, client: client() });
    expect(stats).toMatchObject({ day: SMALL, offers: 2000, totalReported: 2000 });
    // One call per page, the first page doubling as the probe.
    expect(stats.pages).toBe(14);
    expect(stats.apiCalls).toBe(14);
    expect(stats.file).toBe(offresFilePath(dataDir, SMALL));
    expect(stats.file).toBe(path.join(dataDir, "raw", "offres", `offres-${SMALL}.ndjson`));
    const text = await readFile(stats.file, "utf8");
    // Same offers, same JSON, in creation order (the simulator's ground truth order).
    expect(text).toBe(`${sim.offerJson(SMALL).join("\n")}\n`);
    expect(stats.bytes).toBe(Buffer.byteLength(text));
    expect(await readdir(path.dirname(stats.file))).toEqual([`offres-${SMALL}.ndjson`]);
    for (const params of searches) expect(params.get("range")).toMatch(/^\d+-\d+$/);
  });

  it("re-collecting a day whose file was compressed leaves only the new file", async () => {
    const file = offresFilePath(dataDir, SMALL);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(`${file}.gz`, "an older collection, compressed");
    await collectDay(SMALL, { dataDir, client: client() });
    expect(await readdir(path.dirname(file))).toEqual([`offres-${SMALL}.ndjson`]);
  });

  it("cuts a day of more than 3,150 offers by creation time and collects every one", async () => {
    const lines: string[] = [];
    const stats = await collectDay(LARGE, { dataDir, client: client(), log: (l) => lines.push(l) });
    expect(stats.offers).toBe(8000);
    expect(stats.totalReported).toBe(8000);
    expect(new Set(await idsInFile(stats.file))).toEqual(new Set(sim.offerIds(LARGE)));
    expect(lines.some((l) => l.includes("time windows"))).toBe(true);
    // Run logs are served over the API: the file is named relative to the data folder.
    expect(lines).toContainEqual(
      expect.stringContaining(`8000 offers written to raw/offres/offres-${LARGE}.ndjson (`),
    );
    expect(lines.join("\n")).not.toContain(dataDir);
    expect(sim.stats().badRequests).toBe(0);
    // Every range asked for is within what the API accepts.
    for (const params of searches) {
      const [first, last] = params.get("range")!.split("-").map(Number) as [number, number];
      expect(first).toBeLessThanOrEqual(3000);
      expect(last - first + 1).toBeLessThanOrEqual(150);
    }
    // Few calls beyond the pages: probes of windows that overflowed, partly filled last pages.
    expect(stats.apiCalls).toBeLessThan(Math.ceil(8000 / 150) * 1.3);
  });

  it("cuts a day where an earlier day's offers were evenly shared: fewer windows overflow", async () => {
    const before = await collectDay(BUSY[0], { dataDir, client: client() });
    // The shape of the earlier day: seconds after its start at which its offers were created.
    const start = parisDayWindow(BUSY[0]).start.getTime();
    const profile = (await readFile(before.file, "utf8"))
      .split("\n")
      .filter((l) => l.length > 0)
      .map(
        (l) =>
          (Date.parse((JSON.parse(l) as { dateCreation: string }).dateCreation) - start) / 1000,
      )
      .sort((a, b) => a - b);

    const even = await collectDay(BUSY[1], { dataDir, client: client() });
    searches.length = 0;
    const shaped = await collectDay(BUSY[1], { dataDir, client: client(), profile });
    expect(shaped.offers).toBe(20_000);
    expect(new Set(await idsInFile(shaped.file))).toEqual(new Set(sim.offerIds(BUSY[1])));
    // Cut evenly in time, the office hours' windows overflow and cost a probe each; cut by the
    // profile, (nearly) every call brings a page the collection keeps.
    expect(even.apiCalls - even.pages).toBeGreaterThan(3);
    expect(shaped.apiCalls - shaped.pages).toBeLessThanOrEqual(1);
    expect(shaped.apiCalls).toBeLessThan(even.apiCalls);
  });

  it("splits a crowded second by ROME code, then by département, without losing an offer", async () => {
    const lines: string[] = [];
    const stats = await collectDay(HOT, { dataDir, client: client(), log: (l) => lines.push(l) });
    const truth = sim.offerIds(HOT);
    expect(truth).toHaveLength(3000 + 5300);
    expect(stats.offers).toBe(truth.length);
    const ids = await idsInFile(stats.file);
    expect(ids).toHaveLength(truth.length);
    expect(new Set(ids)).toEqual(new Set(truth));
    expect(lines.some((l) => /split by 532 ROME codes/.test(l))).toBe(true);
    expect(lines.some((l) => /codeROME=K2204.*split by 101 départements/.test(l))).toBe(true);
    const leaf = searches.find(
      (p) => p.get("codeROME") === "K2204" && p.get("departement") === "75",
    );
    expect(leaf?.get("minCreationDate")).toBe("2024-08-02T08:00:00Z");
    expect(leaf?.get("maxCreationDate")).toBe("2024-08-02T08:00:01Z");
  });

  it.each([
    ["2024-10-27", "2024-10-26T22:00:00Z", "2024-10-27T23:00:00Z"],
    ["2025-03-30", "2025-03-29T23:00:00Z", "2025-03-30T22:00:00Z"],
  ])("asks for the whole Paris day %s on DST days", async (day, min, max) => {
    const stats = await collectDay(day, { dataDir, client: client() });
    const top = searches[0]!;
    expect(top.get("minCreationDate")).toBe(min);
    expect(top.get("maxCreationDate")).toBe(max);
    expect(top.get("range")).toBe("0-149");
    for (const params of searches) {
      expect(params.get("minCreationDate")! >= min).toBe(true);
      expect(params.get("maxCreationDate")! <= max).toBe(true);
    }
    expect(new Set(await idsInFile(stats.file))).toEqual(new Set(sim.offerIds(day)));
  });

  it("fails with INCOMPLETE, writing nothing, when a query cannot be split below 3,150", async () => {
    const error = await collectDay(STUCK, { dataDir, client: client() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FranceTravailError);
    expect((error as FranceTravailError).code).toBe("INCOMPLETE");
    expect((error as Error).message).toMatch(
      /codeROME=D1106 departement=13\] has 33\d\d offers, more than the 3150 .* cannot be split further/,
    );
    await expect(readdir(path.join(dataDir, "raw", "offres"))).rejects.toThrow(/ENOENT/);
  });

  it("replaces the file of a day already collected", async () => {
    const file = offresFilePath(dataDir, SMALL);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "old\n");
    await collectDay(SMALL, { dataDir, client: client() });
    expect(await idsInFile(file)).toHaveLength(2000);
    expect(await readdir(path.dirname(file))).toEqual([`offres-${SMALL}.ndjson`]);
  });

  it("rejects a day that does not exist before any call", async () => {
    await expect(collectDay("2024-02-30", { dataDir, client: client() })).rejects.toThrow(
      RangeError,
    );
    expect(searches).toHaveLength(0);
  });

  it("refuses to start without credentials", async () => {
    await expect(
      collectDay(SMALL, { dataDir, config: { ...sim.clientConfig(), clientSecret: "" } }),
    ).rejects.toMatchObject({ code: "AUTH" });
  });
});

describe("two collections of a new day into one S3 bucket", () => {
  it("leave one file, the first complete one; the other fails with CONFLICT and writes nothing", async () => {
    const proxy = await startS3Proxy("collect");
    const open = (): S3RawStore => proxy.store("s3://collect/lignee");
    const [storeA, storeB, reader] = [open(), open(), open()];
    try {
      const [dirA, dirB] = await Promise.all([
        mkdtemp(path.join(tmpdir(), "lignee-collect-a-")),
        mkdtemp(path.join(tmpdir(), "lignee-collect-b-")),
      ]);
      const outcomes = await Promise.allSettled([
        collectDay(SMALL, { dataDir: dirA, store: storeA, client: client() }),
        collectDay(SMALL, { dataDir: dirB, store: storeB, client: client() }),
      ]);
      const won = outcomes.filter((o) => o.status === "fulfilled");
      const lost = outcomes.filter((o) => o.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const error = (lost[0] as PromiseRejectedResult).reason as FranceTravailError;
      expect(error).toBeInstanceOf(FranceTravailError);
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toContain("written by another collection meanwhile");
      const keys: string[] = [];
      for await (const o of reader.list("")) keys.push(o.key);
      expect(keys).toEqual([`raw/offres/offres-${SMALL}.ndjson`]);
      const chunks: Buffer[] = [];
      for await (const c of reader.read(keys[0]!)) chunks.push(Buffer.from(c));
      const lines = Buffer.concat(chunks).toString("utf8").trim().split("\n");
      expect(lines).toHaveLength(OFFERS[SMALL]!);
      const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof collectDay>>>)
        .value;
      expect(winner).toMatchObject({ offers: OFFERS[SMALL], key: keys[0] });
      // Neither left anything on its own disk.
      for (const dir of [dirA, dirB])
        expect(await readdir(path.join(dir, "raw", "offres")).catch(() => [])).toEqual([]);
    } finally {
      await Promise.all([storeA.close(), storeB.close(), reader.close()]);
      await proxy.stop();
    }
  });
});
