import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { uiDirFrom } from "./dev";

const REPO_ROOT = fileURLToPath(new URL("../../../../..", import.meta.url));

describe("uiDirFrom", () => {
  it("is the repository's packages/ui/dist, wherever the process was started", async () => {
    const expected = path.join(REPO_ROOT, "packages/ui/dist");
    expect(uiDirFrom({})).toBe(expected);
    const elsewhere = await mkdtemp(path.join(tmpdir(), "lignee-cwd-"));
    const cwd = process.cwd();
    try {
      process.chdir(elsewhere);
      expect(uiDirFrom({})).toBe(expected);
    } finally {
      process.chdir(cwd);
      await rm(elsewhere, { recursive: true, force: true });
    }
  });

  it("is LIGNEE_UI_DIR when set (relative to the working directory); empty means unset", () => {
    expect(uiDirFrom({ LIGNEE_UI_DIR: "/srv/lignee-ui" })).toBe("/srv/lignee-ui");
    expect(uiDirFrom({ LIGNEE_UI_DIR: "ui-build" })).toBe(path.resolve("ui-build"));
    expect(uiDirFrom({ LIGNEE_UI_DIR: "" })).toBe(path.join(REPO_ROOT, "packages/ui/dist"));
  });
});
