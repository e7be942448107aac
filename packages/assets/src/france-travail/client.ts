import { sleep, withTimeout } from "./abort";
import type { FranceTravailConfig } from "./config";
import { describeError, FranceTravailError, snippet } from "./errors";
import type { ReferentialEntry } from "./offer";
import { formatApiDate } from "./paris-time";
import { RateLimiter } from "./rate-limiter";
import { backoffDelayMs, DEFAULT_RETRY, parseRetryAfter, type RetryOptions } from "./retry";
import { parseSearchResponse, type SearchPage, type SearchRange } from "./search-response";
import { TokenProvider } from "./token-provider";

/** Filters of one search: a creation-time window [min, max) and optional codes. */
export interface SearchQuery {
  /** Epoch milliseconds, whole seconds (the API's resolution). */
  readonly minCreationDate: number;
  readonly maxCreationDate: number;
  readonly codeROME?: string;
  readonly departement?: string;
}

export interface FranceTravailClientOptions {
  readonly config: FranceTravailConfig;
  /** Per-call timeout, body included. Default 30 s. */
  readonly timeoutMs?: number;
  readonly retry?: Partial<RetryOptions>;
  /** Renew tokens this long before they expire. Default 60 s. */
  readonly tokenRefreshMarginMs?: number;
  readonly fetch?: typeof fetch;
}

/** Counters since the client was created. */
export interface ClientStats {
  /** HTTP calls to the API (tokens excluded), failed ones included. */
  readonly apiCalls: number;
  /** Calls that repeated a failed one. */
  readonly retries: number;
  /** 429 answers. */
  readonly throttled: number;
  /** 401 answers (expired or revoked tokens). */
  readonly unauthorized: number;
  readonly serverErrors: number;
  readonly malformed: number;
  /** Timeouts and network errors. */
  readonly networkErrors: number;
  readonly tokensIssued: number;
  /** Bytes of response bodies received. */
  readonly bytesReceived: number;
}

const MAX_RETRY_AFTER_MS = 60_000;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The outcome of one HTTP attempt that failed in a way a retry may fix. */
class RetryableFailure {
  constructor(
    readonly error: FranceTravailError,
    readonly retryAfterMs?: number,
  ) {}
}

/**
 * A client of the "Offres d'emploi v2" API: bearer tokens, a client-side rate limit shared by
 * all calls, a timeout per call, and retries with exponential backoff and jitter on 429
 * (honouring Retry-After), 5xx, timeouts, network errors and malformed bodies. A 401 renews
 * the token once. Calls may run concurrently; an aborted signal cancels a call at any stage.
 *
 * @example
 * const client = new FranceTravailClient({ config: readFranceTravailConfig() });
 * const page = await client.search(
 *   { minCreationDate: Date.parse("2024-07-31T22:00:00Z"), maxCreationDate: Date.parse("2024-08-01T22:00:00Z") },
 *   { first: 0, last: 149 },
 * );
 * console.log(page.total, page.offers.length);
 */
export class FranceTravailClient {
  private readonly tokens: TokenProvider;
  private readonly limiter: RateLimiter;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly apiUrl: string;
  private readonly counters: Omit<Mutable<ClientStats>, "tokensIssued"> = {
    apiCalls: 0,
    retries: 0,
    throttled: 0,
    unauthorized: 0,
    serverErrors: 0,
    malformed: 0,
    networkErrors: 0,
    bytesReceived: 0,
  };

  constructor(options: FranceTravailClientOptions) {
    const { config } = options;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.fetchImpl = options.fetch ?? fetch;
    this.apiUrl = config.apiUrl.replace(/\/+$/, "");
    this.limiter = new RateLimiter(config.rateLimitPerSecond);
    this.tokens = new TokenProvider({
      tokenUrl: config.tokenUrl,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      refreshMarginMs: options.tokenRefreshMarginMs,
      timeoutMs: this.timeoutMs,
      retry: this.retry,
      fetch: this.fetchImpl,
    });
  }

  /** One page (`range=first-last`, at most 150 positions) of a search. */
  search(query: SearchQuery, range: SearchRange, signal?: AbortSignal): Promise<SearchPage> {
    const params = new URLSearchParams({
      minCreationDate: formatApiDate(query.minCreationDate),
      maxCreationDate: formatApiDate(query.maxCreationDate),
      range: `${range.first}-${range.last}`,
    });
    if (query.codeROME !== undefined) params.set("codeROME", query.codeROME);
    if (query.departement !== undefined) params.set("departement", query.departement);
    return this.call(
      `/offresdemploi/v2/offres/search?${params}`,
      (response, text) =>
        parseSearchResponse(response.status, response.headers.get("content-range"), text, range),
      signal,
    );
  }

  /** The ROME métiers the API knows (`/referentiel/metiers`). */
  metiers(signal?: AbortSignal): Promise<ReferentialEntry[]> {
    return this.referential("metiers", signal);
  }

  /** The départements the API knows (`/referentiel/departements`). */
  departements(signal?: AbortSignal): Promise<ReferentialEntry[]> {
    return this.referential("departements", signal);
  }

  stats(): ClientStats {
    return { ...this.counters, tokensIssued: this.tokens.tokensIssued };
  }

  private referential(name: string, signal?: AbortSignal): Promise<ReferentialEntry[]> {
    return this.call(
      `/offresdemploi/v2/referentiel/${name}`,
      (response, text) => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (error) {
          throw new FranceTravailError("MALFORMED", `Referential ${name} is not JSON`, {
            cause: error,
            status: response.status,
          });
        }
        if (!Array.isArray(body) || !body.every(isEntry)) {
          throw new FranceTravailError("MALFORMED", `Referential ${name} is not a list of codes`, {
            status: response.status,
          });
        }
        return body.map((e: ReferentialEntry) => ({ code: e.code, libelle: e.libelle }));
      },
      signal,
    );
  }

  /** One API call with token, rate limit, timeout and retries; `parse` reads a 2xx answer. */
  private async call<T>(
    pathAndQuery: string,
    parse: (response: Response, text: string) => T,
    signal?: AbortSignal,
  ): Promise<T> {
    const url = `${this.apiUrl}${pathAndQuery}`;
    let renewedToken = false;
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0) this.counters.retries++;
      // Slot first, token second: a token taken before a long wait for a slot could expire
      // in between.
      await this.limiter.acquire(signal);
      const token = await this.tokens.get(signal);
      const outcome = await this.attempt(url, token, parse, signal);
      if (!(outcome instanceof RetryableFailure)) return outcome.value;
      if (outcome.error.status === 401) {
        if (renewedToken) {
          throw new FranceTravailError("AUTH", `The API refused a freshly issued token (401)`, {
            cause: outcome.error,
            status: 401,
          });
        }
        renewedToken = true;
        this.tokens.invalidate(token);
        continue;
      }
      const retries = attempt - (renewedToken ? 1 : 0);
      if (retries >= this.retry.maxRetries) {
        throw new FranceTravailError(
          "RETRIES_EXHAUSTED",
          `${describeCall(url)} failed ${retries + 1} times, last: ${outcome.error.message}`,
          { cause: outcome.error, status: outcome.error.status },
        );
      }
      const delay = outcome.retryAfterMs ?? backoffDelayMs(retries + 1, this.retry);
      await sleep(delay, signal);
    }
  }

  private async attempt<T>(
    url: string,
    token: string,
    parse: (response: Response, text: string) => T,
    signal?: AbortSignal,
  ): Promise<{ value: T } | RetryableFailure> {
    this.counters.apiCalls++;
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, {
        headers: { Authorization: `Bearer ${token}`, Accept: "application/json" },
        signal: withTimeout(signal, this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      this.counters.networkErrors++;
      const what = (error as Error | undefined)?.name === "TimeoutError" ? "timed out" : "failed";
      return new RetryableFailure(
        new FranceTravailError("HTTP", `${describeCall(url)} ${what}: ${describeError(error)}`, {
          cause: error,
        }),
      );
    }
    this.counters.bytesReceived += Buffer.byteLength(text);
    const status = response.status;
    if (status >= 200 && status < 300) {
      try {
        return { value: parse(response, text) };
      } catch (error) {
        if (!(error instanceof FranceTravailError) || error.code !== "MALFORMED") throw error;
        this.counters.malformed++;
        return new RetryableFailure(error);
      }
    }
    const error = new FranceTravailError(
      "HTTP",
      `${describeCall(url)} answered ${status}: ${apiMessage(text)}`,
      { status },
    );
    if (status === 401) {
      this.counters.unauthorized++;
      return new RetryableFailure(error);
    }
    if (status === 429) {
      this.counters.throttled++;
      // The server may omit Retry-After; a second is the API's own rate window. An absurd
      // value is capped: retrying sooner costs one more 429, waiting an hour stalls the run.
      const retryAfterMs = Math.min(
        parseRetryAfter(response.headers.get("retry-after")) ?? 1000,
        MAX_RETRY_AFTER_MS,
      );
      this.limiter.pauseFor(retryAfterMs);
      return new RetryableFailure(error, retryAfterMs);
    }
    if (status >= 500 || status === 408) {
      this.counters.serverErrors++;
      return new RetryableFailure(error);
    }
    throw error;
  }
}

function isEntry(value: unknown): value is ReferentialEntry {
  const entry = value as Partial<ReferentialEntry> | null;
  return typeof entry?.code === "string" && typeof entry.libelle === "string";
}

/** The API's `message` when the body is its JSON error, else the start of the body. */
function apiMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { message?: unknown };
    if (typeof body.message === "string") return body.message;
  } catch {
    // not JSON: fall through
  }
  return snippet(text);
}

/** "GET /offresdemploi/v2/offres/search?…" without the host (tokens never appear in URLs). */
function describeCall(url: string): string {
  const parsed = new URL(url);
  return `GET ${parsed.pathname}${parsed.search}`;
}
