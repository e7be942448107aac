import { describe, expect, it } from "vitest";
import { charactersMissing, longEnough, MIN_PASSWORD, passwordLength } from "./password-length";

describe("a password's length", () => {
  it("counts characters, as the server does, not UTF-16 code units", () => {
    const emoji = "🔑🔒🗝️🚪🐉🌋"; // 🗝️ is two code points, each emoji two code units
    expect(emoji.length).toBe(13);
    expect(passwordLength(emoji)).toBe(7);
    expect(longEnough(emoji)).toBe(false);
    expect(charactersMissing(emoji)).toBe(MIN_PASSWORD - 7);
    expect(passwordLength("été-à-noël")).toBe(10);
  });

  it("is long enough at twelve characters, whatever their width", () => {
    const twelve = "🐉".repeat(6) + "abcdef";
    expect(twelve.length).toBe(18);
    expect(longEnough(twelve)).toBe(true);
    expect(charactersMissing(twelve)).toBe(0);
    expect(longEnough("🐉".repeat(6) + "abcde")).toBe(false);
  });

  it("lacks nothing while nothing is typed", () => {
    expect(charactersMissing("")).toBe(0);
    expect(longEnough("")).toBe(false);
    expect(charactersMissing("bob-pass")).toBe(4);
  });
});
