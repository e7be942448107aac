/**
 * Offer ids shaped like the API's ("181XKQM": three digits, four letters or digits), unique
 * per (seed, day, index): the pair (day, index) is packed into an integer and shuffled by an
 * affine bijection modulo the number of possible ids, so ids never collide and look random.
 */

const LETTERS = 36 ** 4;
const SPACE = 1000n * BigInt(LETTERS); // 1,679,616,000 possible ids
/** Coprime with 2, 3 and 5, hence with SPACE: the affine map is a bijection. */
const MULTIPLIER = 1_103_515_249n;
/** Days are taken modulo this (≈ 8.7 years between two days sharing ids). */
const DAY_CYCLE = 3200;
/** Offers per day the packing leaves room for. */
export const MAX_OFFERS_PER_DAY = 524_288;

export function offerId(seedOffset: number, epochDay: number, index: number): string {
  if (index < 0 || index >= MAX_OFFERS_PER_DAY) {
    throw new RangeError(`offer index ${index} out of range`);
  }
  const day = ((epochDay % DAY_CYCLE) + DAY_CYCLE) % DAY_CYCLE;
  const packed = BigInt(day) * BigInt(MAX_OFFERS_PER_DAY) + BigInt(index);
  const shuffled = Number((packed * MULTIPLIER + BigInt(seedOffset)) % SPACE);
  const digits = Math.floor(shuffled / LETTERS);
  const rest = shuffled % LETTERS;
  return `${String(digits).padStart(3, "0")}${rest.toString(36).toUpperCase().padStart(4, "0")}`;
}
