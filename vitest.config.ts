import { defineConfig } from "vitest/config";

/**
 * In this repository `@lignee/engine` resolves to its TypeScript sources (the package's
 * `lignee-source` export condition), as it does for tsc (tsconfig.base.json): the tests import
 * the engine as users do, without a build in between. Installed, the package is its build.
 */
const SOURCE_CONDITIONS = ["lignee-source", "module", "node", "development|production"];
/**
 * On the Node.js side, Vitest hands these conditions to Node.js itself (`--conditions`), which
 * then loads dependencies with them too: without Vite's "module", which selects builds meant for
 * bundlers (the AWS SDK's are ES modules with extension-less imports that Node.js cannot load),
 * dependencies load as they do in production.
 */
const NODE_CONDITIONS = SOURCE_CONDITIONS.filter((c) => c !== "module");

export default defineConfig({
  resolve: { conditions: SOURCE_CONDITIONS },
  ssr: { resolve: { conditions: NODE_CONDITIONS } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "tests/**/*.test.ts"],
    globalSetup: ["tests/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Two test files at a time, also on a 2-core machine (vitest's default there is one): most
    // files wait on PostgreSQL, dbt or a browser, and the suite's own timing checks use fake
    // clocks or generous lower bounds, so they hold under the shared load.
    maxWorkers: 2,
    // `expect.poll` waits for what a page or a process shows, at most this long (Vitest's
    // default, 1 s, is less than a page's answer takes while a Spark job holds both cores).
    expect: { poll: { timeout: 10_000 } },
  },
});
