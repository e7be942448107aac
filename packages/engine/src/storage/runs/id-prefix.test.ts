import { describe, expect, it } from "vitest";
import { dashedRunIdPrefix, isFullRunId, parseRunIdPrefix } from "./id-prefix";

describe("run id prefixes", () => {
  it("normalises case and dashes", () => {
    expect(parseRunIdPrefix("8898DBE9")).toBe("8898dbe9");
    expect(parseRunIdPrefix("8898dbe9-12")).toBe("8898dbe912");
  });

  it("refuses too short, non-hexadecimal and too long prefixes", () => {
    expect(() => parseRunIdPrefix("889")).toThrow(/too short: give at least 4/);
    expect(() => parseRunIdPrefix("")).toThrow(/too short/);
    expect(() => parseRunIdPrefix("zz99")).toThrow(/not a run id or the start of one/);
    expect(() => parseRunIdPrefix("a".repeat(33))).toThrow(/not a run id/);
  });

  it("puts the dashes back where a UUID has them", () => {
    expect(dashedRunIdPrefix("8898")).toBe("8898");
    expect(dashedRunIdPrefix("8898dbe9")).toBe("8898dbe9");
    expect(dashedRunIdPrefix("8898dbe912")).toBe("8898dbe9-12");
    expect(dashedRunIdPrefix("8898dbe912344abc8def0123456789ab")).toBe(
      "8898dbe9-1234-4abc-8def-0123456789ab",
    );
  });

  it("tells a whole id from a prefix", () => {
    expect(isFullRunId("8898dbe9-1234-4abc-8def-0123456789ab")).toBe(true);
    expect(isFullRunId("8898dbe9")).toBe(false);
  });
});
