// The job-offer pipeline's quality suite: plain functions over the warehouse, and the
// `defineCheck` wrappers the definitions register.
export { FAIT_OFFRE_ASSET, jobOfferChecks, OFFRES_ASSET, type QualitySuiteOptions } from "./checks";
export { countMatchesRaw } from "./count-matches-raw";
export { dateCreationInDay } from "./date-creation-in-day";
export type { QualityResult, Queryable } from "./result";
export { romeAndCommuneKnown, type KnownCodesOptions } from "./rome-and-commune-known";
export { uniqueIds } from "./unique-ids";
export {
  judgeVolume,
  median,
  volumeVsWeekdayMedian,
  type VolumeOptions,
} from "./volume-vs-weekday-median";
