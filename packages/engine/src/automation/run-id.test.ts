import { describe, expect, it } from "vitest";
import { automationRunId } from "./run-id";

describe("automationRunId", () => {
  it("keeps the ids already stored with runs", () => {
    expect(automationRunId(["schedule", "daily", "2025-03-30T00:00:00.000Z"])).toBe(
      "746032a4-ce8d-5ffe-bb85-b4b310d31518",
    );
  });

  it("length-prefixes the parts so that moving a separator changes the id", () => {
    expect(automationRunId(["a:b", "c"])).not.toBe(automationRunId(["a", "b:c"]));
  });
});
