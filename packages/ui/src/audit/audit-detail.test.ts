import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, AUDIT_FAMILIES, describeActor, summarizeDetail } from "./audit-detail";

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

/**
 * The actions the engine writes, read from its sources (not imported: the UI's bundle gets
 * nothing of the engine): `audit(c, "run.launch", …)`, `audit(c, x ? "check.enable" :
 * "check.disable", …)`, `action: "user.add"` (the CLI, the first admin), and a family written
 * with a template, `audit(c, \`automation.${action}\`, …)`.
 */
function engineActions(): { actions: Set<string>; families: Set<string> } {
  const engineSrc = fileURLToPath(new URL("../../../engine/src", import.meta.url));
  const actions = new Set<string>();
  const families = new Set<string>();
  for (const file of sourcesUnder(engineSrc)) {
    const source = readFileSync(file, "utf8");
    for (const call of source.matchAll(/\baudit\(\s*c,\s*([^,]+),/g)) {
      const argument = call[1]!;
      for (const literal of argument.matchAll(/"([a-z]+\.[a-z-]+)"/g)) actions.add(literal[1]!);
      for (const template of argument.matchAll(/`([a-z]+)\.\$\{/g)) families.add(template[1]!);
    }
    for (const field of source.matchAll(/\baction: "([a-z]+\.[a-z-]+)"/g)) actions.add(field[1]!);
  }
  return { actions, families };
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

describe("the action filter's list", () => {
  const written = engineActions();

  it("finds what the engine writes (the reading of its sources still works)", () => {
    expect(written.actions).toContain("run.launch");
    expect(written.actions).toContain("check.enable");
    expect(written.actions).toContain("user.add");
    expect(written.families).toContain("automation");
  });

  it("offers every action the engine writes", () => {
    expect([...written.actions].filter((a) => !AUDIT_ACTIONS.includes(a)).sort()).toEqual([]);
  });

  it("offers the actions of a family written with a template", () => {
    for (const family of written.families) {
      expect(
        AUDIT_ACTIONS.some((a) => a.startsWith(`${family}.`)),
        family,
      ).toBe(true);
    }
  });

  it("names each action once", () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
  });
});
