import { describe, expect, it } from "vitest";
import { formatDuration } from "./format";

describe("durations in words", () => {
  it("rounds to whole seconds before splitting into minutes", () => {
    expect(formatDuration(3_599_600)).toBe("1 h 0 min");
    expect(formatDuration(119_600)).toBe("2 min 0 s");
    expect(formatDuration(59_600)).toBe("1 min 0 s");
    expect(formatDuration(65_000)).toBe("1 min 5 s");
  });

  it("keeps short durations as they were", () => {
    expect(formatDuration(450)).toBe("450 ms");
    expect(formatDuration(4_250)).toBe("4.3 s");
    expect(formatDuration(42_000)).toBe("42 s");
    expect(formatDuration(7_500_000)).toBe("2 h 5 min");
  });
});
