import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FranceTravailClient } from "./client";
import { FranceTravailError } from "./errors";
import { parisDayWindow } from "./paris-time";
import { RANGE_MESSAGES } from "./simulator/search-params";
import { type RunningSimulator, startSimulator } from "./simulator/server";

const DAY = "2024-08-01";
const { start, end } = parisDayWindow(DAY);
const query = { minCreationDate: start.getTime(), maxCreationDate: end.getTime() };

let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({
    seed: 2,
    offersPerDay: () => 400,
    rateLimitPerSecond: 0,
    credentials: { clientId: "app", clientSecret: "s3cret" },
  });
});

afterAll(async () => {
  await sim.close();
});

describe("FranceTravailClient", () => {
  it("searches with a bearer token fetched once and reused", async () => {
    const client = new FranceTravailClient({ config: sim.clientConfig() });
    const first = await client.search(query, { first: 0, last: 149 });
    const second = await client.search(query, { first: 150, last: 299 });
    expect(first.status).toBe(206);
    expect(first.total).toBe(400);
    expect(second.offers.map((o) => o.id)).not.toContain(first.offers[0]!.id);
    const last = await client.search(query, { first: 300, last: 449 });
    expect(last.offers).toHaveLength(100);
    expect(client.stats()).toMatchObject({ apiCalls: 3, retries: 0, tokensIssued: 1 });
    expect(await client.metiers()).toHaveLength(532);
  });

  it("reports a refused range as an HTTP error with the API's message, without retrying", async () => {
    const client = new FranceTravailClient({ config: sim.clientConfig() });
    const error = await client.search(query, { first: 0, last: 150 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FranceTravailError);
    expect(error).toMatchObject({ code: "HTTP", status: 400 });
    expect((error as Error).message).toContain(RANGE_MESSAGES.tooLarge);
    expect(client.stats().apiCalls).toBe(1);
  });

  it("fails with AUTH on wrong credentials", async () => {
    const client = new FranceTravailClient({
      config: sim.clientConfig({ clientSecret: "wrong" }),
    });
    const error = await client.search(query, { first: 0, last: 149 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUTH", status: 401 });
    expect((error as Error).message).toContain("invalid_client");
  });

  it("renews the token once on a 401, then fails with AUTH", async () => {
    let tokenCalls = 0;
    let apiCalls = 0;
    const fakeFetch: typeof fetch = async (input) => {
      const url = String(input);
      if (url.includes("access_token")) {
        tokenCalls++;
        return Response.json({ access_token: `t${tokenCalls}`, expires_in: 1499 });
      }
      apiCalls++;
      return Response.json({ message: "expired" }, { status: 401 });
    };
    const client = new FranceTravailClient({ config: sim.clientConfig(), fetch: fakeFetch });
    const error = await client.search(query, { first: 0, last: 149 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "AUTH", status: 401 });
    expect(tokenCalls).toBe(2);
    expect(apiCalls).toBe(2);
  });

  it("retries network errors with backoff, then gives up with the cause kept", async () => {
    let calls = 0;
    const fakeFetch: typeof fetch = async (input) => {
      if (String(input).includes("access_token")) {
        return Response.json({ access_token: "t", expires_in: 1499 });
      }
      calls++;
      throw new TypeError("fetch failed");
    };
    const client = new FranceTravailClient({
      config: sim.clientConfig(),
      fetch: fakeFetch,
      retry: { maxRetries: 3, baseDelayMs: 10, maxDelayMs: 20 },
    });
    const started = performance.now();
    const error = await client.metiers().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "RETRIES_EXHAUSTED" });
    expect(((error as Error).cause as Error).cause).toBeInstanceOf(TypeError);
    expect(calls).toBe(4);
    expect(client.stats()).toMatchObject({ retries: 3, networkErrors: 4 });
    // Backoff waited at least 5 + 10 + 10 ms (half of each capped delay).
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("keeps its calls within the client-side rate limit", async () => {
    const client = new FranceTravailClient({
      config: sim.clientConfig({ rateLimitPerSecond: 20 }),
    });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 11 }, () => client.search(query, { first: 0, last: 0 })),
    );
    // 11 calls spaced 50 ms apart: the last one starts 500 ms after the first.
    expect(performance.now() - started).toBeGreaterThanOrEqual(490);
  });
});
