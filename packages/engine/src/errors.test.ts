import { describe, expect, it } from "vitest";
import { clip, quote, UnknownAssetError } from "./errors";

describe("quoting user-supplied values in error messages", () => {
  it("keeps short values whole", () => {
    expect(quote("2024-02-30")).toBe('"2024-02-30"');
    expect(clip("/api/nope")).toBe("/api/nope");
    expect(quote("x".repeat(64))).toBe(`"${"x".repeat(64)}"`);
  });

  it("cuts long values to their first 64 characters and says how long they were", () => {
    expect(quote("9".repeat(10_000))).toBe(`"${"9".repeat(64)}…" (10000 characters)`);
    expect(clip("y".repeat(65))).toBe(`${"y".repeat(64)}… (65 characters)`);
    expect(new UnknownAssetError("a".repeat(1000)).message.length).toBeLessThan(120);
  });

  it("counts and cuts characters, never half of one", () => {
    const emoji = "😀".repeat(100);
    expect(quote(emoji)).toBe(`"${"😀".repeat(64)}…" (100 characters)`);
  });
});
