import { defineConfig } from "vitest/config";

export default defineConfig({
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
  },
});
