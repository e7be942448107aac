import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { withFileLock } from "./file-lock";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lignee-lock-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const options = { timeoutMs: 5_000, what: "a test" };

describe("withFileLock", () => {
  it("runs one holder at a time, in one process too", async () => {
    const lock = path.join(dir, "lock");
    const order: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, options, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        order.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect(order).toEqual(
      order[0] === "a in" ? ["a in", "a out", "b in", "b out"] : ["b in", "b out", "a in", "a out"],
    );
    expect(existsSync(lock)).toBe(false);
  });

  it("takes over a lock whose holder has died", async () => {
    const lock = path.join(dir, "lock");
    await writeFile(lock, `${deadPid()}\nsome-token\n`);
    expect(await withFileLock(lock, options, async () => "held")).toBe("held");
    expect(existsSync(lock)).toBe(false);
  });

  it("gives up after its timeout, naming the live holder", async () => {
    const lock = path.join(dir, "lock");
    await writeFile(lock, `${process.ppid}\nanother-token\n`);
    await expect(
      withFileLock(lock, { timeoutMs: 200, what: "a test" }, async () => undefined),
    ).rejects.toThrow(`waiting for process ${process.ppid} (a test)`);
    expect(existsSync(lock)).toBe(true);
  });

  it("releases the lock when the work fails", async () => {
    const lock = path.join(dir, "lock");
    await expect(
      withFileLock(lock, options, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(existsSync(lock)).toBe(false);
  });
});

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], {
    encoding: "utf8",
  });
  return Number(child.stdout.trim());
}
