import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { openRuntime, type Runtime } from "../../runtime/runtime";
import type { CliIo } from "../context";
import { runsCommand, runShowCommand } from "./runs";

/** `lignee runs` and `lignee runs show` over a real runtime, one run per partition request kind. */
let runtime: Runtime;
const ids = { none: randomUUID(), single: randomUUID(), range: randomUUID(), stale: randomUUID() };

beforeAll(async () => {
  runtime = await openRuntime({ databaseUrl: await createTestDatabase(), home: "" });
  const specs = {
    none: { kind: "none" },
    single: { kind: "single", key: "2024-08-01" },
    range: { kind: "range", from: "2024-08-01", to: "2024-08-03" },
    stale: { kind: "stale" },
  };
  for (const [kind, partitionSpec] of Object.entries(specs)) {
    await runtime.storage.createRun({
      id: ids[kind as keyof typeof ids],
      status: "SUCCESS",
      selection: `sel-${kind}`,
      assetKeys: ["raw/events"],
      partitionSpec,
      hostname: "test",
      pid: 1,
    });
  }
});

afterAll(async () => {
  await runtime.close();
});

function captureIo(): { io: CliIo; text: () => string } {
  const lines: string[] = [];
  return {
    io: { out: (t) => lines.push(t), err: (t) => lines.push(t), interactive: false },
    text: () => lines.join("\n"),
  };
}

describe("lignee runs", () => {
  it("shows each kind of partition request: none, a key, a range, stale", async () => {
    const { io, text } = captureIo();
    expect(await runsCommand(runtime, {}, io)).toBe(0);
    const rowOf = (kind: string): string =>
      text()
        .split("\n")
        .find((line) => line.includes(`sel-${kind}`)) ?? "";
    expect(text()).not.toContain("undefined");
    expect(rowOf("none").trimEnd()).toMatch(/sel-none$/);
    expect(rowOf("single")).toMatch(/sel-single\s+2024-08-01$/);
    expect(rowOf("range")).toMatch(/sel-range\s+2024-08-01…2024-08-03$/);
    expect(rowOf("stale")).toMatch(/sel-stale\s+stale$/);
  });

  it("shows a stale run's partitions as stale in `runs show`", async () => {
    const { io, text } = captureIo();
    expect(await runShowCommand(runtime, ids.stale, {}, io)).toBe(0);
    expect(text()).toContain("partitions: stale");
    expect(text()).not.toContain("undefined");
  });
});
