import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ligneeCommand, REPO_ROOT } from "./support/cli";
import { createTestDatabase } from "./support/database";

/** `lignee dev` as a user starts it: a child process serving the API until SIGTERM. */
let databaseUrl: string;
/** Temporary UI folders: one without index.html (a UI not built), one with a built UI. */
let emptyUiDir: string;
let builtUiDir: string;

const devProcess = (args: readonly string[], uiDir = emptyUiDir, uiSources?: string) =>
  spawn(
    ...ligneeCommand([
      "--definitions",
      "packages/engine/src/examples/example-definitions.ts",
      "dev",
      ...args,
    ]),
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        LIGNEE_API_TOKEN: "",
        LIGNEE_UI_DIR: uiDir,
        // No UI sources unless a test gives some: a UI not built stays so (the text page).
        LIGNEE_UI_SOURCES: uiSources ?? path.join(emptyUiDir, "no-sources"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );

beforeAll(async () => {
  databaseUrl = await createTestDatabase({ migrate: false });
  emptyUiDir = await mkdtemp(path.join(tmpdir(), "lignee-ui-empty-"));
  builtUiDir = await mkdtemp(path.join(tmpdir(), "lignee-ui-built-"));
  await mkdir(path.join(builtUiDir, "assets"));
  await writeFile(path.join(builtUiDir, "index.html"), "<!doctype html><title>Lignée UI</title>");
  await writeFile(path.join(builtUiDir, "assets", "app.js"), "console.log('ui');");
});

afterAll(async () => {
  await rm(emptyUiDir, { recursive: true, force: true });
  await rm(builtUiDir, { recursive: true, force: true });
});

/** Starts `lignee dev` on a free port; resolves to its URL, a stop function and its stderr. */
async function startDev(uiDir?: string, uiSources?: string) {
  const child = devProcess(["--port", "0"], uiDir, uiSources);
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const match = /serving on (http:\/\/\S+?) /.exec(stdout);
      if (match?.[1]) resolve(match[1]);
    });
    void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
  });
  return {
    url,
    stdout: () => stdout,
    stderr: () => stderr,
    stop: async (): Promise<number | null> => {
      child.kill("SIGTERM");
      return exited;
    },
  };
}

describe("lignee dev", () => {
  it("serves the API on the port it prints, then stops cleanly on SIGTERM", async () => {
    // LIGNEE_UI_DIR names a folder without index.html: the UI counts as not built.
    const dev = await startDev(emptyUiDir);
    try {
      expect(dev.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      // Loopback, no user, no token: it says nobody signs in, and how to change that.
      await expect.poll(dev.stdout).toMatch(/Single-user mode: loopback, no users, no sign-in/);
      const res = await fetch(`${dev.url}/api/assets`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { nodes: { key: string }[] };
      expect(body.nodes.map((n) => n.key)).toContain("raw/events");
      const home = await fetch(`${dev.url}/`);
      const page = await home.text();
      expect(page).toMatch(/UI is not built/);
      // It says how to build it, as does the start.
      expect(page).toContain("pnpm --filter @lignee/ui build");
      expect(dev.stderr()).toMatch(
        /the UI is not built and cannot be built here \(no UI sources in .*no-sources\).*pnpm --filter @lignee\/ui build/,
      );
    } finally {
      expect(await dev.stop(), dev.stderr()).toBe(0);
    }
  });

  it("serves the UI of LIGNEE_UI_DIR: its files, index.html for client routes, JSON 404 under /api", async () => {
    const dev = await startDev(builtUiDir);
    try {
      for (const route of ["/", "/assets/raw/events", "/runs"]) {
        const res = await fetch(`${dev.url}${route}`);
        expect(res.status, route).toBe(200);
        expect(res.headers.get("content-type"), route).toMatch(/^text\/html/);
        expect(await res.text(), route).toBe("<!doctype html><title>Lignée UI</title>");
      }
      const script = await fetch(`${dev.url}/assets/app.js`);
      expect(await script.text()).toBe("console.log('ui');");
      const api = await fetch(`${dev.url}/api/unknown`);
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await api.json()).toEqual({ error: "no route for GET /api/unknown" });
    } finally {
      expect(await dev.stop(), dev.stderr()).toBe(0);
    }
  });

  it("builds a UI never built from its sources (vite), then serves it", async () => {
    const sources = await mkdtemp(path.join(tmpdir(), "lignee-ui-sources-"));
    const outDir = path.join(sources, "dist");
    try {
      await writeFile(
        path.join(sources, "index.html"),
        '<!doctype html><title>Built UI</title><script type="module" src="./main.js"></script>',
      );
      await writeFile(path.join(sources, "main.js"), "document.title = 'built';\n");
      const dev = await startDev(outDir, sources);
      try {
        expect(dev.stderr()).toContain(
          `the UI is not built: building it (vite build --outDir ${outDir}`,
        );
        expect(dev.stderr()).toContain("the UI is built");
        const home = await fetch(`${dev.url}/`);
        expect(home.headers.get("content-type")).toMatch(/^text\/html/);
        const html = await home.text();
        expect(html).toContain("<title>Built UI</title>");
        // vite bundled the script under assets/.
        const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
        expect(script, html).toBeDefined();
        expect(await (await fetch(`${dev.url}${script}`)).text()).toContain("built");
      } finally {
        expect(await dev.stop(), dev.stderr()).toBe(0);
      }
    } finally {
      await rm(sources, { recursive: true, force: true });
    }
  }, 90_000);

  it("refuses a non-loopback host without a token", async () => {
    const child = devProcess(["--host", "0.0.0.0", "--port", "0"]);
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without a token/);
  });
});
