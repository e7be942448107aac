import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  collectDay,
  FranceTravailClient,
  readFranceTravailConfig,
  startSimulator,
} from "../packages/assets/src/france-travail/index";
import { machineInfo, writeResults } from "./support";

const DAY = "2024-08-01"; // a Thursday
const OFFERS = 50_000;
const RATE = 10;
const PAGE_SIZE = 150;
const TARGET_RATIO = 1.15;

/**
 * `pnpm bench collect`: collects one weekday of 50,000 offers from the simulated API, which
 * allows 10 calls/s, with the client limited to 10 calls/s. The floor is the time the pages
 * alone take at that rate, ceil(50,000 / 150) / 10 = 33.4 s; the target is at most 1.15 × that.
 */
export async function run(): Promise<void> {
  const sim = await startSimulator({ seed: 1, offersPerWeekday: OFFERS, rateLimitPerSecond: RATE });
  const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-bench-collect-"));
  try {
    // Generate the day before timing: the real API does not build its data on first request.
    const expected = sim.offerIds(DAY).length;
    const client = new FranceTravailClient({
      config: {
        ...readFranceTravailConfig({}),
        clientId: "bench",
        clientSecret: "bench",
        tokenUrl: sim.tokenUrl,
        apiUrl: sim.apiUrl,
        rateLimitPerSecond: RATE,
      },
    });
    const stats = await collectDay(DAY, {
      dataDir,
      client,
      log: (line) => console.log(`  ${line}`),
    });
    if (stats.offers !== expected)
      throw new Error(`collected ${stats.offers} of ${expected} offers`);
    const floorSeconds = Math.ceil(OFFERS / PAGE_SIZE) / RATE;
    const wallSeconds = stats.durationMs / 1000;
    const ratio = Math.round((wallSeconds / floorSeconds) * 1000) / 1000;
    const result = {
      name: "collect_day_50000_offers_10_calls_per_second",
      unit: "s",
      wallSeconds: Math.round(wallSeconds * 100) / 100,
      floorSeconds,
      ratioToFloor: ratio,
      target: TARGET_RATIO,
      met: ratio <= TARGET_RATIO,
      offers: stats.offers,
      pages: stats.pages,
      minimumPages: Math.ceil(OFFERS / PAGE_SIZE),
      apiCalls: stats.apiCalls,
      retries: stats.retries,
      throttled: stats.throttled,
      bytes: stats.bytes,
      serverRequests: sim.stats().requests,
    };
    const file = await writeResults("collect", {
      machine: machineInfo(),
      date: new Date().toISOString(),
      results: [result],
    });
    console.log("\ncollect benchmark");
    console.log(
      `  ${result.met ? "ok  " : "MISS"} ${result.name}: ${result.wallSeconds} s, floor ${floorSeconds} s, ` +
        `ratio ${ratio} (target ≤ ${TARGET_RATIO}); ${stats.apiCalls} calls, ${stats.pages} pages ` +
        `(minimum ${result.minimumPages}), ${stats.retries} retries, ${stats.throttled} throttled`,
    );
    console.log(`results written to ${file}`);
  } finally {
    await sim.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
