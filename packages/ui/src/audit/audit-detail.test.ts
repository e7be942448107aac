import { describe, expect, it } from "vitest";
import { AUDIT_FAMILIES, describeActor, summarizeDetail } from "./audit-detail";

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

describe("who did it", () => {
  const line = { actor: "alice", actorKind: "user", action: "run.launch", detail: {} };

  it("is the user, or the name typed for a refused sign-in", () => {
    expect(describeActor(line)).toEqual({ name: "alice", kind: "user", token: null });
    expect(describeActor({ ...line, actor: "mallory", action: "session.sign-in-refused" })).toEqual(
      { name: "mallory", kind: "name typed", token: null },
    );
  });

  it("names the token a line was written with, which the detail then leaves out", () => {
    const detail = { token: "ci (#7)", selection: "demo/hello" };
    expect(describeActor({ ...line, detail }).token).toBe("ci (#7)");
    expect(summarizeDetail(detail, 120, ["token"])).toBe("selection: demo/hello");
  });
});

describe("the action filter's families", () => {
  it("are the parts before the dot, each once", () => {
    expect(AUDIT_FAMILIES).toEqual(expect.arrayContaining(["run", "token", "user", "session"]));
    expect(new Set(AUDIT_FAMILIES).size).toBe(AUDIT_FAMILIES.length);
    expect(AUDIT_FAMILIES.every((family) => !family.includes("."))).toBe(true);
  });
});
