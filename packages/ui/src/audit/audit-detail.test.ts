import { describe, expect, it } from "vitest";
import { summarizeDetail } from "./audit-detail";

describe("an audit line's detail", () => {
  it("says each value in its order, JSON for what is not text", () => {
    expect(summarizeDetail({ selection: "raw/offres", partitions: ["2024-08-01"], n: 2 })).toBe(
      'selection: raw/offres · partitions: ["2024-08-01"] · n: 2',
    );
  });

  it("leaves out empty values and is empty without any", () => {
    expect(summarizeDetail({ reason: "invalid", address: null })).toBe("reason: invalid");
    expect(summarizeDetail({ selection: "demo/hello", partitions: {}, keys: [] })).toBe(
      "selection: demo/hello",
    );
    expect(summarizeDetail({})).toBe("");
  });

  it("is cut at the length asked, marked as cut", () => {
    const summary = summarizeDetail({ selection: "x".repeat(200) }, 40);
    expect(summary).toHaveLength(40);
    expect(summary.endsWith("…")).toBe(true);
  });
});
