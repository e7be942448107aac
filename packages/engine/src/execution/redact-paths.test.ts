import { describe, expect, it } from "vitest";
import { redactPaths } from "./redact-paths";

const context = {
  root: "/work/main",
  topLevel: new Set(["work", "root", "home", "tmp", "usr", "var", "app"]),
};
const redact = (text: string): string => redactPaths(text, context);

describe("redactPaths", () => {
  it.each([
    [
      "a stack frame under the project becomes relative",
      "    at loadOffresDay (/work/main/packages/assets/src/offres/loader.ts:52:15)",
      "    at loadOffresDay (packages/assets/src/offres/loader.ts:52:15)",
    ],
    [
      "an anonymous frame given as a file URL",
      "    at async file:///work/main/packages/engine/src/x.ts:3:4",
      "    at async packages/engine/src/x.ts:3:4",
    ],
    [
      "a path outside the project keeps its last segment",
      "ENOENT: no such file or directory, open '/tmp/lignee-abc/raw/offres/offres-2024-08-01.ndjson'",
      "ENOENT: no such file or directory, open '…/offres-2024-08-01.ndjson'",
    ],
    ["a home folder", "cannot read /home/alice/.config/x.json", "cannot read …/x.json"],
    [
      "a global module",
      "    at f (/usr/lib/node_modules/tsx/dist/a.mjs:1:2)",
      "    at f (…/a.mjs:1:2)",
    ],
    ["the project root itself", "cwd is /work/main", "cwd is ."],
    [
      "URL paths and node internals are left alone",
      "GET /api/runs answered 404 at node:internal/fs:12 via https://x.io/a/b",
      "GET /api/runs answered 404 at node:internal/fs:12 via https://x.io/a/b",
    ],
    [
      "a project with the same prefix is not the project",
      "at /work/main-old/a.ts:1:1",
      "at …/a.ts:1:1",
    ],
    [
      "a quoted path with spaces is one path",
      "open '/home/Jane Doe/raw files/x.csv' failed",
      "open '…/x.csv' failed",
    ],
  ])("%s", (_name, text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it("with the working directory at the machine's root, shows paths by their last segment", () => {
    const atRoot = { ...context, root: "/" };
    expect(redactPaths("cannot read /home/alice/.config/x.json", atRoot)).toBe(
      "cannot read …/x.json",
    );
  });
});
