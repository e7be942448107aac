import type { FranceTravailOffer } from "../offer";
import type { GeneratedOffer } from "./offer-generator";
import { offerId } from "./offer-id";
import type { BadDay } from "./options";
import { hashSeed, seededRandom } from "./random";

/** A ROME code and a commune code that no referential holds. */
export const UNKNOWN_ROME_CODE = "X9999";
export const UNKNOWN_COMMUNE = "99999";

const DAY_MS = 86_400_000;

export interface BadDayContext {
  readonly seed: number;
  /** What `offerId` derives every id from, and the day before's epoch day. */
  readonly idOffset: number;
  readonly previousEpochDay: number;
  /** Offers of the day before: ids are borrowed among its first ones only. */
  readonly previousDayOffers: number;
}

/**
 * The offers of a bad day: each fault picks its offers with its own seeded draw (the others
 * are left as generated). The search still files every offer under its generated instant, so
 * a collection of the day is complete and consistent; only the data is wrong.
 */
export function applyBadDay(
  offers: readonly GeneratedOffer[],
  bad: BadDay,
  context: BadDayContext,
): GeneratedOffer[] {
  const random = seededRandom(hashSeed(context.seed, "bad-day", bad.day));
  let borrowed = 0;
  return offers.map((generated) => {
    let offer: FranceTravailOffer = generated.offer;
    if (random() < (bad.duplicateRatio ?? 0) && borrowed < context.previousDayOffers) {
      const id = offerId(context.idOffset, context.previousEpochDay, borrowed++);
      offer = renamed(offer, id);
    }
    if (random() < (bad.outsideDayRatio ?? 0)) {
      offer = { ...offer, dateCreation: new Date(generated.createdMs - DAY_MS).toISOString() };
    }
    if (random() < (bad.unknownCodeRatio ?? 0)) {
      offer = {
        ...offer,
        romeCode: UNKNOWN_ROME_CODE,
        ...(offer.lieuTravail
          ? { lieuTravail: { ...offer.lieuTravail, commune: UNKNOWN_COMMUNE } }
          : {}),
      };
    }
    return offer === generated.offer ? generated : { ...generated, offer };
  });
}

/** The offer under another id, in every field that names it (its URLs). */
function renamed(offer: FranceTravailOffer, id: string): FranceTravailOffer {
  return JSON.parse(JSON.stringify(offer).split(offer.id).join(id)) as FranceTravailOffer;
}
