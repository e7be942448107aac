import {
  defineCheck,
  type AssetCheckResult,
  type AssetCheckSpec,
  type CheckContext,
  type CheckDefinition,
} from "@lignee/engine";
import { parisDayWindow } from "../france-travail/paris-time";
import type { JobOfferResources } from "../resources";
import { countMatchesRaw } from "./count-matches-raw";
import { dateCreationInDay } from "./date-creation-in-day";
import type { QualityResult } from "./result";
import { romeAndCommuneKnown, type KnownCodesOptions } from "./rome-and-commune-known";
import { uniqueIds } from "./unique-ids";
import { volumeVsWeekdayMedian, type VolumeOptions } from "./volume-vs-weekday-median";

/** The asset keys the suite checks. */
export const OFFRES_ASSET = "raw/offres";
export const FAIT_OFFRE_ASSET = "emploi/fait_offre_emploi";

/**
 * `raw/offres`' check on creation dates. Each load evaluates it on the rows it writes and
 * reports it with the day's materialisation (`creationCheckResult`), which stands in for the
 * suite's evaluation of it; `lignee check` reads the day back (`dateCreationInDay`).
 */
export const DATE_CREATION_IN_DAY: AssetCheckSpec = {
  name: "date_creation_in_day",
  severity: "error",
  description: "Every offer's dateCreation lies inside the day (Europe/Paris).",
};

/** A load's `date_creation_in_day` (`OffresLoadStats.creation`) as a materialisation reports it. */
export function creationCheckResult(result: QualityResult): AssetCheckResult {
  return {
    name: DATE_CREATION_IN_DAY.name,
    severity: DATE_CREATION_IN_DAY.severity,
    passed: result.passed,
    description: result.description,
    metadata: result.metadata,
  };
}

export interface QualitySuiteOptions {
  readonly volume?: VolumeOptions;
  readonly knownCodes?: KnownCodesOptions;
}

type Check = CheckDefinition<JobOfferResources>;

/**
 * The job-offer pipeline's quality suite, one day at a time: on `raw/offres` the day's volume
 * against the same weekday's median (warn), unique ids and creation dates inside the day
 * (error: they hold the dbt models); on `emploi/fait_offre_emploi` the day's rows against
 * raw.offres (error) and the share of known ROME codes and communes (warn).
 *
 * @example
 * Definitions.create({ assets, checks: jobOfferChecks({ volume: { tolerance: 0.3 } }) });
 */
export function jobOfferChecks(options: QualitySuiteOptions = {}): Check[] {
  assertSuiteOptions(options);
  const volume = options.volume ?? {};
  const tolerance = Math.round((volume.tolerance ?? 0.5) * 100);
  return [
    defineCheck<JobOfferResources>({
      asset: OFFRES_ASSET,
      name: "volume_vs_weekday_median",
      severity: "warn",
      description: `The day's offer count is within ±${tolerance} % of the median of the same weekday over the previous ${volume.weeks ?? 4} weeks.`,
      evaluate: (ctx) => volumeVsWeekdayMedian(ctx.resources.warehouse.pool, dayOf(ctx), volume),
    }),
    defineCheck<JobOfferResources>({
      asset: OFFRES_ASSET,
      name: "unique_ids",
      severity: "error",
      description: "No offer id of the day is repeated, within the day or on another day.",
      evaluate: (ctx) => uniqueIds(ctx.resources.warehouse.pool, dayOf(ctx)),
    }),
    defineCheck<JobOfferResources>({
      asset: OFFRES_ASSET,
      ...DATE_CREATION_IN_DAY,
      evaluate: (ctx) =>
        dateCreationInDay(
          ctx.resources.warehouse.pool,
          dayOf(ctx),
          ctx.partitionTimeWindow ?? parisDayWindow(dayOf(ctx)),
        ),
    }),
    defineCheck<JobOfferResources>({
      asset: FAIT_OFFRE_ASSET,
      name: "count_matches_raw",
      severity: "error",
      description: "The day's rows are exactly the day's offers in raw.offres.",
      evaluate: (ctx) => countMatchesRaw(ctx.resources.warehouse.pool, dayOf(ctx)),
    }),
    defineCheck<JobOfferResources>({
      asset: FAIT_OFFRE_ASSET,
      name: "rome_and_commune_known",
      severity: "warn",
      description: `At least ${Math.round((options.knownCodes?.minShare ?? 0.99) * 100)} % of the day's offers have a ROME code in dim_rome and, when they give one, a commune in dim_lieu.`,
      evaluate: (ctx) =>
        romeAndCommuneKnown(ctx.resources.warehouse.pool, dayOf(ctx), options.knownCodes),
    }),
  ];
}

/** Throws a RangeError naming the option unless every given option makes sense. */
function assertSuiteOptions({ volume = {}, knownCodes = {} }: QualitySuiteOptions): void {
  const { weeks = 4, tolerance = 0.5, minWeeks = 2 } = volume;
  const problems = [
    !Number.isInteger(weeks) || weeks < 1
      ? `volume.weeks must be a whole number ≥ 1 (got ${weeks})`
      : "",
    !(tolerance >= 0) ? `volume.tolerance must be ≥ 0 (got ${tolerance})` : "",
    !Number.isInteger(minWeeks) || minWeeks < 1 || minWeeks > weeks
      ? `volume.minWeeks must be a whole number from 1 to volume.weeks (${weeks}) (got ${minWeeks})`
      : "",
    knownCodes.minShare !== undefined && !(knownCodes.minShare >= 0 && knownCodes.minShare <= 1)
      ? `knownCodes.minShare must be between 0 and 1 (got ${knownCodes.minShare})`
      : "",
  ].filter((p) => p !== "");
  if (problems.length > 0) throw new RangeError(`quality suite: ${problems.join("; ")}`);
}

function dayOf(ctx: CheckContext<JobOfferResources>): string {
  if (ctx.partitionKey === undefined)
    throw new Error(`${ctx.assetKey}:${ctx.checkName} checks one day: no partition given`);
  return ctx.partitionKey;
}
