/**
 * The environment the job-offer definitions run in during tests: the local France Travail
 * simulator (no credentials), no rate limits, synthetic SIRENE data, raw files in `dataDir`.
 * `overrides` adds or replaces variables (e.g. a rate limit that makes a collection slow).
 */
export function jobOfferEnv(
  databaseUrl: string,
  dataDir: string,
  options: { offersPerWeekday: number; sireneRows?: number },
  overrides: Record<string, string> = {},
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    LIGNEE_DATA_DIR: dataDir,
    LIGNEE_SIMULATOR_OFFERS_PER_WEEKDAY: String(options.offersPerWeekday),
    LIGNEE_SIMULATOR_RATE_LIMIT: "0",
    ...(options.sireneRows !== undefined
      ? { LIGNEE_SIRENE_SYNTHETIC_ROWS: String(options.sireneRows) }
      : {}),
    FRANCE_TRAVAIL_RATE_LIMIT: "0",
    FRANCE_TRAVAIL_CLIENT_ID: "",
    FRANCE_TRAVAIL_CLIENT_SECRET: "",
    ...overrides,
  };
}
