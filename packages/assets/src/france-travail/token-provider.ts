import { raceAbort } from "@lignee/engine";
import { sleep, withTimeout } from "./abort";
import { FRANCE_TRAVAIL_SCOPE } from "./config";
import { describeError, FranceTravailError, snippet } from "./errors";
import { backoffDelayMs, DEFAULT_RETRY, parseRetryAfter, type RetryOptions } from "./retry";

export interface TokenProviderOptions {
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope?: string;
  /** Renew this long before the announced expiry (capped at half the token's lifetime). */
  readonly refreshMarginMs?: number;
  readonly timeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly fetch?: typeof fetch;
}

interface CachedToken {
  readonly value: string;
  /** performance.now() after which the token is no longer handed out. */
  readonly renewAt: number;
}

/**
 * OAuth2 client-credentials tokens, cached until shortly before they expire. Concurrent
 * callers share one token request. `invalidate` drops a token the API refused (401), so the
 * next `get` fetches a new one.
 *
 * @example
 * const tokens = new TokenProvider({ tokenUrl, clientId, clientSecret });
 * const token = await tokens.get(signal);
 */
export class TokenProvider {
  private cached: CachedToken | undefined;
  private pending: Promise<CachedToken> | undefined;
  private pendingSignal: AbortSignal | undefined;
  private issued = 0;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: TokenProviderOptions) {
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** A valid bearer token, from the cache or freshly requested. */
  async get(signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const cached = this.cached;
    if (cached && performance.now() < cached.renewAt) return cached.value;
    // The shared request is not tied to one caller's signal: another caller may still need it.
    for (;;) {
      if (!this.pending) {
        const initiator = signal;
        this.pending = this.request(initiator).finally(() => {
          this.pending = undefined;
        });
        this.pendingSignal = initiator;
      }
      const pendingSignal = this.pendingSignal;
      try {
        return (await raceAbort(this.pending, signal)).value;
      } catch (error) {
        // The shared request was cancelled by the caller that started it, not by this one.
        if (pendingSignal?.aborted && !signal?.aborted) continue;
        throw error;
      }
    }
  }

  /** Forgets `token` if it is still the cached one (several calls may report the same 401). */
  invalidate(token: string): void {
    if (this.cached?.value === token) this.cached = undefined;
  }

  /** Number of tokens obtained so far. */
  get tokensIssued(): number {
    return this.issued;
  }

  private async request(signal: AbortSignal | undefined): Promise<CachedToken> {
    const retry = this.options.retry ?? DEFAULT_RETRY;
    for (let attempt = 0; ; attempt++) {
      let failure: FranceTravailError;
      let retryAfterMs: number | undefined;
      try {
        const token = await this.requestOnce(signal);
        this.cached = token;
        this.issued++;
        return token;
      } catch (error) {
        if (!(error instanceof TokenRequestFailure)) throw error;
        failure = error.error;
        retryAfterMs = error.retryAfterMs;
      }
      if (attempt >= retry.maxRetries) {
        throw new FranceTravailError(
          "RETRIES_EXHAUSTED",
          `Token request failed ${attempt + 1} times: ${failure.message}`,
          { cause: failure, status: failure.status },
        );
      }
      await sleep(retryAfterMs ?? backoffDelayMs(attempt + 1, retry), signal);
    }
  }

  private async requestOnce(signal: AbortSignal | undefined): Promise<CachedToken> {
    const { tokenUrl, clientId, clientSecret } = this.options;
    const body = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      scope: this.options.scope ?? FRANCE_TRAVAIL_SCOPE,
    });
    const started = performance.now();
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(tokenUrl, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          Accept: "application/json",
        },
        body,
        signal: withTimeout(signal, this.options.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new TokenRequestFailure(
        new FranceTravailError("HTTP", `Token request failed: ${describeError(error)}`, {
          cause: error,
        }),
      );
    }
    const status = response.status;
    if (status === 429 || status >= 500) {
      throw new TokenRequestFailure(
        new FranceTravailError("HTTP", `Token request answered ${status}: ${snippet(text)}`, {
          status,
        }),
        parseRetryAfter(response.headers.get("retry-after")),
      );
    }
    if (status !== 200) {
      // Wrong credentials or scope: retrying cannot help.
      throw new FranceTravailError(
        "AUTH",
        `Token request refused (${status}) by ${safeHost(tokenUrl)}: ${snippet(text)}`,
        { status },
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new TokenRequestFailure(
        new FranceTravailError("MALFORMED", `Token response is not JSON: ${snippet(text)}`, {
          cause: error,
          status,
        }),
      );
    }
    const { access_token: value, expires_in: expiresIn } = (parsed ?? {}) as Record<
      string,
      unknown
    >;
    if (typeof value !== "string" || value === "" || typeof expiresIn !== "number") {
      throw new TokenRequestFailure(
        new FranceTravailError("MALFORMED", `Token response lacks access_token/expires_in`, {
          status,
        }),
      );
    }
    const lifetimeMs = expiresIn * 1000;
    const margin = Math.min(this.options.refreshMarginMs ?? 60_000, lifetimeMs / 2);
    // Measured from when the request was sent: the server started the clock no later.
    return { value, renewAt: started + lifetimeMs - margin };
  }
}

/** A token request failure worth retrying, with the server's Retry-After if it sent one. */
class TokenRequestFailure extends Error {
  constructor(
    readonly error: FranceTravailError,
    readonly retryAfterMs?: number,
  ) {
    super(error.message);
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
