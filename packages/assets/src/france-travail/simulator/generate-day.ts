import { assertDay, weekdayOf } from "../paris-time";
import { applyBadDay } from "./bad-day";
import { DailyCurve } from "./daily-curve";
import { type GeneratedOffer, OfferGenerator } from "./offer-generator";
import { MAX_OFFERS_PER_DAY, offerId } from "./offer-id";
import { badDayOf, baseOffersOfDay, type SimulatorOptions } from "./options";
import { hashSeed, seededRandom } from "./random";

/**
 * Every offer created on a Paris calendar day, sorted by creation time then id. The result
 * depends only on (seed, day, number of offers, hotspots and bad day of that day): the base
 * offers are drawn first, so adding a hotspot leaves them unchanged.
 */
export function generateDay(
  generator: OfferGenerator,
  options: SimulatorOptions,
  day: string,
): GeneratedOffer[] {
  assertDay(day);
  const seed = options.seed ?? 1;
  const random = seededRandom(hashSeed(seed, "day", day));
  const curve = new DailyCurve(day);
  const epochDay = Math.round(Date.parse(`${day}T00:00:00Z`) / 86_400_000);
  const idOffset = hashSeed(seed, "ids");
  const hotspots = (options.hotspots ?? []).filter((h) => h.day === day);
  const base = baseOffersOfDay(options, day, weekdayOf(day));
  const total = offersOfDay(options, day);
  if (total > MAX_OFFERS_PER_DAY) {
    throw new RangeError(`${total} offers on ${day}: the simulator supports ${MAX_OFFERS_PER_DAY}`);
  }
  const offers: GeneratedOffer[] = [];
  let index = 0;
  for (; index < base; index++) {
    offers.push(
      generator.generate(random, {
        id: offerId(idOffset, epochDay, index),
        createdMs: curve.draw(random),
        allowNationwide: true,
      }),
    );
  }
  for (const hotspot of hotspots) {
    const at = hotspot.at === undefined ? undefined : curve.at(hotspot.at);
    for (let i = 0; i < hotspot.count; i++, index++) {
      offers.push(
        generator.generate(random, {
          id: offerId(idOffset, epochDay, index),
          createdMs: at ?? curve.draw(random),
          romeCode: hotspot.romeCode,
          departement: hotspot.departement,
          // Hotspot offers must stay reachable by a département split.
          allowNationwide: false,
        }),
      );
    }
  }
  const bad = badDayOf(options, day);
  const served = bad
    ? applyBadDay(offers, bad, {
        seed,
        idOffset,
        previousEpochDay: epochDay - 1,
        previousDayOffers: offersOfDay(options, previousDay(day)),
      })
    : offers;
  served.sort((a, b) => a.createdMs - b.createdMs || compare(a.offer.id, b.offer.id));
  return served;
}

/** How many offers `generateDay` makes for a day: its base offers and its hotspots. */
export function offersOfDay(options: SimulatorOptions, day: string): number {
  const hotspots = (options.hotspots ?? []).filter((h) => h.day === day);
  return (
    baseOffersOfDay(options, day, weekdayOf(day)) + hotspots.reduce((sum, h) => sum + h.count, 0)
  );
}

function previousDay(day: string): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
