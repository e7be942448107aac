import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FranceTravailClient, type FranceTravailClientOptions } from "./client";
import { collectDay, offresFilePath } from "./collect-day";
import { FranceTravailError } from "./errors";
import {
  type RunningSimulator,
  type StartSimulatorOptions,
  startSimulator,
} from "./simulator/server";

const DAY = "2024-08-01";
const FAST_RETRY = { maxRetries: 8, baseDelayMs: 5, maxDelayMs: 50 };

let dataDir: string;
let sim: RunningSimulator | undefined;

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "lignee-collect-faults-"));
});

afterEach(async () => {
  await sim?.close();
  sim = undefined;
  await rm(dataDir, { recursive: true, force: true });
});

async function simulate(options: StartSimulatorOptions): Promise<RunningSimulator> {
  sim = await startSimulator({ seed: 9, rateLimitPerSecond: 0, ...options });
  return sim;
}

function clientFor(
  target: RunningSimulator,
  options: Omit<FranceTravailClientOptions, "config"> & { rate?: number } = {},
): FranceTravailClient {
  return new FranceTravailClient({
    config: target.clientConfig({ rateLimitPerSecond: options.rate ?? 0 }),
    retry: FAST_RETRY,
    ...options,
  });
}

async function idsInFile(file: string): Promise<Set<string>> {
  const text = await readFile(file, "utf8");
  return new Set(
    text
      .split("\n")
      .filter((l) => l.length > 0)
      .map((l) => (JSON.parse(l) as { id: string }).id),
  );
}

describe("collectDay under faults", () => {
  it("waits out 429s (Retry-After) and still collects the exact day", async () => {
    // 21 calls against 10 allowed per second.
    const s = await simulate({ offersPerDay: () => 3000, rateLimitPerSecond: 10 });
    const client = clientFor(s);
    const started = performance.now();
    const stats = await collectDay(DAY, { dataDir, client, concurrency: 8 });
    expect(stats.offers).toBe(3000);
    expect(await idsInFile(stats.file)).toEqual(new Set(s.offerIds(DAY)));
    expect(stats.throttled).toBeGreaterThan(0);
    expect(stats.throttled).toBe(s.stats().throttled);
    expect(stats.retries).toBeGreaterThanOrEqual(stats.throttled);
    // The server asked for a pause of 1 s: the client honoured it at least once.
    expect(performance.now() - started).toBeGreaterThan(1000);
  });

  it("retries 5xx, truncated bodies and short pages, and collects the exact day", async () => {
    const s = await simulate({
      offersPerDay: () => 6000,
      faults: { serverErrorRatio: 0.15, malformedRatio: 0.1, shortPageRatio: 0.05 },
    });
    const stats = await collectDay(DAY, { dataDir, client: clientFor(s) });
    const served = s.stats();
    expect(served.serverErrors).toBeGreaterThan(0);
    expect(served.malformed).toBeGreaterThan(0);
    expect(served.shortPages).toBeGreaterThan(0);
    expect(stats.offers).toBe(6000);
    expect(await idsInFile(stats.file)).toEqual(new Set(s.offerIds(DAY)));
    // Each injected fault cost exactly one retry.
    expect(stats.retries).toBe(served.serverErrors + served.malformed + served.shortPages);
    expect(stats.apiCalls).toBe(served.requests);
  });

  it("retries calls that time out", async () => {
    // A fifth of the calls stall far past the client's timeout; the others answer well within
    // it, even on a busy machine.
    const s = await simulate({
      offersPerDay: () => 1500,
      faults: { stallRatio: 0.2, stallMs: 3_000 },
    });
    const client = clientFor(s, { timeoutMs: 500 });
    const stats = await collectDay(DAY, { dataDir, client });
    expect(stats.offers).toBe(1500);
    expect(client.stats().networkErrors).toBeGreaterThan(0);
    expect(stats.retries).toBe(client.stats().networkErrors);
  });

  it("renews tokens that expire or are revoked mid-run", async () => {
    const s = await simulate({
      offersPerDay: () => 3000,
      tokenTtlSeconds: 1,
      onSearch: () => {
        // Early (about 0.1 s in), far from the first token's renewal half-way through its
        // second: the next request meets the revocation, however loaded the machine is.
        if (s.stats().searches === 2) s.revokeTokens();
      },
    });
    // 21 pages at 15 calls/s: about 1.4 s, longer than a token lives.
    const client = clientFor(s, { rate: 15 });
    const stats = await collectDay(DAY, { dataDir, client });
    expect(stats.offers).toBe(3000);
    expect(await idsInFile(stats.file)).toEqual(new Set(s.offerIds(DAY)));
    // The revocation answered 401s, each followed by a renewal and a successful retry.
    expect(s.stats().unauthorized).toBeGreaterThanOrEqual(1);
    expect(client.stats().unauthorized).toBe(s.stats().unauthorized);
    expect(stats.retries).toBe(s.stats().unauthorized);
    // The first token, its replacement after the revocation (~0.1 s in), and at least one
    // renewal of that one as it aged: tokens live 1 s and are renewed half-way.
    expect(client.stats().tokensIssued).toBeGreaterThanOrEqual(3);
    expect(s.stats().tokensIssued).toBe(client.stats().tokensIssued);
  });

  it("fails loudly when the API keeps failing, leaving the day's existing file untouched", async () => {
    const s = await simulate({ offersPerDay: () => 2000, faults: { serverErrorRatio: 1 } });
    const file = offresFilePath(dataDir, DAY);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, "previous collection\n");
    const client = clientFor(s, { retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 5 } });
    const error = await collectDay(DAY, { dataDir, client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FranceTravailError);
    expect((error as FranceTravailError).code).toBe("RETRIES_EXHAUSTED");
    expect((error as Error).message).toMatch(
      /GET \/partenaire\/offresdemploi\/v2\/offres\/search\?.* failed 3 times, last: .* answered 50[03]/,
    );
    expect((error as FranceTravailError).cause).toBeInstanceOf(FranceTravailError);
    expect(await readFile(file, "utf8")).toBe("previous collection\n");
    expect(await readdir(path.dirname(file))).toEqual([`offres-${DAY}.ndjson`]);
  });

  it("stops at once when the caller aborts, writing nothing", async () => {
    // 30,000 offers at 10 calls/s would take about 20 s to collect: stopping within 5 s of the
    // abort is stopping at once, even on a busy machine.
    const s = await simulate({ offersPerDay: () => 30_000 });
    const controller = new AbortController();
    const reason = new Error("run cancelled");
    setTimeout(() => controller.abort(reason), 300);
    const started = performance.now();
    const error = await collectDay(DAY, {
      dataDir,
      client: clientFor(s, { rate: 10 }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(performance.now() - started).toBeLessThan(5000);
    await expect(readdir(path.join(dataDir, "raw", "offres"))).rejects.toThrow(/ENOENT/);
  });
});
