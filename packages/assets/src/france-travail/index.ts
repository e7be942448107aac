export { FranceTravailClient } from "./client";
export type { ClientStats, FranceTravailClientOptions, SearchQuery } from "./client";
export { collectDay, offresFilePath } from "./collect-day";
export type { CollectDayOptions, CollectDayStats } from "./collect-day";
export {
  DEFAULT_API_URL,
  DEFAULT_RATE_LIMIT_PER_SECOND,
  DEFAULT_TOKEN_URL,
  FRANCE_TRAVAIL_SCOPE,
  hasFranceTravailCredentials,
  readFranceTravailConfig,
} from "./config";
export type { FranceTravailConfig } from "./config";
export { FranceTravailError } from "./errors";
export type { FranceTravailErrorCode } from "./errors";
export type { FranceTravailOffer, ReferentialEntry } from "./offer";
export { formatApiDate, parisDayWindow } from "./paris-time";
export { RateLimiter } from "./rate-limiter";
export { DEFAULT_RETRY } from "./retry";
export type { RetryOptions } from "./retry";
export { MAX_PAGE_SIZE, MAX_RANGE_START, MAX_REACHABLE_RESULTS } from "./search-response";
export type { SearchPage, SearchRange } from "./search-response";
export { TokenProvider } from "./token-provider";
export type { TokenProviderOptions } from "./token-provider";
export type { SimulatorStats } from "./simulator/app";
export { badDay, hotDay } from "./simulator/options";
export type { BadDay, FaultOptions, Hotspot, SimulatorOptions } from "./simulator/options";
export { UNKNOWN_COMMUNE, UNKNOWN_ROME_CODE } from "./simulator/bad-day";
export { RANGE_MESSAGES } from "./simulator/search-params";
export { startSimulator } from "./simulator/server";
export type { RunningSimulator, StartSimulatorOptions } from "./simulator/server";
