import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { liveUsers, registerUser, unregisterUser } from "./server-users";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lignee-users-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("users of a shared server", () => {
  it("counts this process's registrations and live processes; prunes the dead", async () => {
    const mine = await registerUser(dir);
    // A process that is surely gone (pids are below 2^22 on Linux).
    await writeFile(path.join(dir, "4194999-0d6f9a8e"), "");
    // The parent of this test process is alive.
    const parent = path.join(dir, `${process.ppid}-5b1e7c21`);
    await writeFile(parent, "");
    expect((await liveUsers(dir)).sort()).toEqual([mine, parent].sort());
    expect(await readdir(dir)).toHaveLength(2);
    await unregisterUser(mine);
    expect(await liveUsers(dir)).toEqual([parent]);
  });

  it("an entry with this process's pid that it did not register is an earlier process's (pid reused)", async () => {
    const stale = path.join(dir, `${process.pid}-left-by-a-killed-process`);
    await writeFile(stale, "");
    expect(await liveUsers(dir)).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});
