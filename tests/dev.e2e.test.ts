import { spawn } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";

/** `lignee dev` as a user starts it: a child process serving the API until SIGTERM. */
let databaseUrl: string;

const devProcess = (args: readonly string[]) =>
  spawn(
    path.join(REPO_ROOT, "node_modules/.bin/tsx"),
    [
      path.join(REPO_ROOT, "packages/engine/src/cli/bin.ts"),
      "--definitions",
      "packages/engine/src/examples/example-definitions.ts",
      "dev",
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, LIGNEE_API_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );

beforeAll(async () => {
  databaseUrl = await createTestDatabase({ migrate: false });
});

describe("lignee dev", () => {
  it("serves the API on the port it prints, then stops cleanly on SIGTERM", async () => {
    const child = devProcess(["--port", "0"]);
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on("data", (d: Buffer) => {
          stdout += d.toString();
          const match = /serving on (http:\/\/\S+?) /.exec(stdout);
          if (match?.[1]) resolve(match[1]);
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${url}/api/assets`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { nodes: { key: string }[] };
      expect(body.nodes.map((n) => n.key)).toContain("raw/events");
      const home = await fetch(`${url}/`);
      expect(await home.text()).toMatch(/UI is not built/);
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited, stderr).toBe(0);
  });

  it("refuses a non-loopback host without a token", async () => {
    const child = devProcess(["--host", "0.0.0.0", "--port", "0"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
  });
});
