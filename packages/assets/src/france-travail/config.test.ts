import { describe, expect, it } from "vitest";
import {
  DEFAULT_API_URL,
  DEFAULT_TOKEN_URL,
  hasFranceTravailCredentials,
  readFranceTravailConfig,
} from "./config";
import { backoffDelayMs, parseRetryAfter } from "./retry";

describe("readFranceTravailConfig", () => {
  it("defaults to the real endpoints and 10 calls/s", () => {
    expect(readFranceTravailConfig({})).toEqual({
      clientId: "",
      clientSecret: "",
      tokenUrl: DEFAULT_TOKEN_URL,
      apiUrl: DEFAULT_API_URL,
      rateLimitPerSecond: 10,
    });
    expect(DEFAULT_TOKEN_URL).toBe(
      "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire",
    );
  });

  it("reads every variable", () => {
    const env = {
      FRANCE_TRAVAIL_CLIENT_ID: "id",
      FRANCE_TRAVAIL_CLIENT_SECRET: "secret",
      FRANCE_TRAVAIL_TOKEN_URL: "http://127.0.0.1:8787/connexion/oauth2/access_token",
      FRANCE_TRAVAIL_API_URL: "http://127.0.0.1:8787/partenaire/",
      FRANCE_TRAVAIL_RATE_LIMIT: "4.5",
    };
    expect(readFranceTravailConfig(env)).toEqual({
      clientId: "id",
      clientSecret: "secret",
      tokenUrl: "http://127.0.0.1:8787/connexion/oauth2/access_token",
      apiUrl: "http://127.0.0.1:8787/partenaire",
      rateLimitPerSecond: 4.5,
    });
    expect(hasFranceTravailCredentials(env)).toBe(true);
    expect(hasFranceTravailCredentials({ FRANCE_TRAVAIL_CLIENT_ID: "id" })).toBe(false);
    expect(hasFranceTravailCredentials({})).toBe(false);
  });

  it("rejects a rate limit that is not a non-negative number", () => {
    expect(() => readFranceTravailConfig({ FRANCE_TRAVAIL_RATE_LIMIT: "fast" })).toThrow(
      /RATE_LIMIT/,
    );
    expect(() => readFranceTravailConfig({ FRANCE_TRAVAIL_RATE_LIMIT: "-1" })).toThrow(RangeError);
  });
});

describe("retry timing", () => {
  const options = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it("backs off exponentially, with jitter in the upper half, up to the cap", () => {
    expect(backoffDelayMs(1, options, () => 0)).toBe(50);
    expect(backoffDelayMs(1, options, () => 1)).toBe(100);
    expect(backoffDelayMs(3, options, () => 1)).toBe(400);
    expect(backoffDelayMs(10, options, () => 0.5)).toBe(750);
  });

  it("reads Retry-After in seconds or as a date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    const now = Date.parse("2024-08-01T10:00:00Z");
    expect(parseRetryAfter("Thu, 01 Aug 2024 10:00:03 GMT", now)).toBe(3000);
  });
});
