import { mkdtemp, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { heartbeatFile } from "./heartbeat-file";

describe("heartbeatFile", () => {
  it("writes the time at most once per period, and nothing without a file", async () => {
    const file = path.join(await mkdtemp(path.join(tmpdir(), "lignee-heartbeat-")), "alive");
    const alive = heartbeatFile(file, 200);
    alive();
    await new Promise((r) => setTimeout(r, 50));
    const first = await readFile(file, "utf8");
    expect(Date.parse(first.trim())).toBeGreaterThan(Date.now() - 5_000);
    const before = (await stat(file)).mtimeMs;
    alive(); // within the period: not written again
    await new Promise((r) => setTimeout(r, 50));
    expect((await stat(file)).mtimeMs).toBe(before);
    await new Promise((r) => setTimeout(r, 250));
    alive();
    await new Promise((r) => setTimeout(r, 50));
    expect((await stat(file)).mtimeMs).toBeGreaterThan(before);
    expect(() => heartbeatFile(undefined)()).not.toThrow();
  });
});
