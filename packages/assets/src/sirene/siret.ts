/**
 * SIREN and SIRET numbers end with a Luhn check digit (the SIRET's is computed over its 14
 * digits; only La Poste's establishments, SIREN 356000000, break the rule).
 */

/** Whether a string of digits passes the Luhn check. */
export function isLuhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  return luhnSum(digits, 0) % 10 === 0;
}

/** The digit that, appended to `digits`, makes it Luhn-valid ("73282932" → "0": 732829320). */
export function luhnCheckDigit(digits: string): string {
  // Appending a digit shifts every position by one: what was at an even distance from the end
  // is now doubled.
  const sum = luhnSum(digits, 1);
  return String((10 - (sum % 10)) % 10);
}

/**
 * Sum of the digits, doubling every other one from the right; `offset` 1 starts doubling with
 * the last digit.
 */
function luhnSum(digits: string, offset: number): number {
  let sum = 0;
  for (let i = digits.length - 1, position = offset; i >= 0; i--, position++) {
    let d = digits.charCodeAt(i) - 48;
    if (position % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum;
}
