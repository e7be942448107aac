import { describe, expect, it } from "vitest";
import { isLuhnValid, luhnCheckDigit } from "./siret";

describe("Luhn", () => {
  it("accepts real SIREN and SIRET numbers and computes their check digit", () => {
    for (const number of ["443061841", "44306184100047", "552100554", "732829320"]) {
      expect(isLuhnValid(number)).toBe(true);
      expect(luhnCheckDigit(number.slice(0, -1))).toBe(number.slice(-1));
    }
  });

  it("rejects a changed digit and anything but digits", () => {
    expect(isLuhnValid("443061842")).toBe(false);
    expect(isLuhnValid("44306184100048")).toBe(false);
    expect(isLuhnValid("4430618 1")).toBe(false);
    expect(isLuhnValid("")).toBe(false);
  });
});
