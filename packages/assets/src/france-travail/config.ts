/** Where and how to reach the France Travail "Offres d'emploi v2" API. */
export interface FranceTravailConfig {
  readonly clientId: string;
  readonly clientSecret: string;
  /** OAuth2 token endpoint, realm included. */
  readonly tokenUrl: string;
  /** Base URL the API paths (`/offresdemploi/v2/…`) are appended to. */
  readonly apiUrl: string;
  /** Client-side limit on API calls per second; 0 means unlimited. */
  readonly rateLimitPerSecond: number;
}

export const DEFAULT_TOKEN_URL =
  "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire";
export const DEFAULT_API_URL = "https://api.francetravail.io/partenaire";
/** The API allows 10 calls per second per application. */
export const DEFAULT_RATE_LIMIT_PER_SECOND = 10;
/** Scopes the search and the referentials need. */
export const FRANCE_TRAVAIL_SCOPE = "api_offresdemploiv2 o2dsoffre";

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads the configuration from `FRANCE_TRAVAIL_CLIENT_ID`, `FRANCE_TRAVAIL_CLIENT_SECRET`,
 * `FRANCE_TRAVAIL_TOKEN_URL`, `FRANCE_TRAVAIL_API_URL` and `FRANCE_TRAVAIL_RATE_LIMIT`.
 * Missing credentials are read as empty strings (see `hasFranceTravailCredentials`); a rate
 * limit that is not a non-negative number is an error.
 *
 * @example
 * const config = readFranceTravailConfig();
 * if (!hasFranceTravailCredentials(config)) throw new Error("set FRANCE_TRAVAIL_CLIENT_ID/_SECRET");
 */
export function readFranceTravailConfig(env: Env = process.env): FranceTravailConfig {
  const rate = env.FRANCE_TRAVAIL_RATE_LIMIT?.trim();
  const rateLimitPerSecond =
    rate === undefined || rate === "" ? DEFAULT_RATE_LIMIT_PER_SECOND : Number(rate);
  if (!Number.isFinite(rateLimitPerSecond) || rateLimitPerSecond < 0) {
    throw new RangeError(
      `FRANCE_TRAVAIL_RATE_LIMIT must be a non-negative number of calls per second, got "${rate}"`,
    );
  }
  return {
    clientId: env.FRANCE_TRAVAIL_CLIENT_ID?.trim() ?? "",
    clientSecret: env.FRANCE_TRAVAIL_CLIENT_SECRET?.trim() ?? "",
    tokenUrl: nonEmpty(env.FRANCE_TRAVAIL_TOKEN_URL) ?? DEFAULT_TOKEN_URL,
    apiUrl: (nonEmpty(env.FRANCE_TRAVAIL_API_URL) ?? DEFAULT_API_URL).replace(/\/+$/, ""),
    rateLimitPerSecond,
  };
}

/**
 * Whether `FRANCE_TRAVAIL_CLIENT_ID` and `FRANCE_TRAVAIL_CLIENT_SECRET` are both set, e.g. to
 * skip live collection on a machine without credentials.
 */
export function hasFranceTravailCredentials(env: Env = process.env): boolean {
  return Boolean(env.FRANCE_TRAVAIL_CLIENT_ID?.trim() && env.FRANCE_TRAVAIL_CLIENT_SECRET?.trim());
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
