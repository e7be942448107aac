import { startSimulator } from "./server";

/**
 * Runs the simulated France Travail API in the foreground, e.g. for the demo:
 *
 *   SIMULATOR_PORT=8787 pnpm tsx packages/assets/src/france-travail/simulator/main.ts
 *
 * Environment: SIMULATOR_PORT (default 8787), SIMULATOR_SEED (1), SIMULATOR_OFFERS_PER_WEEKDAY
 * (50000), SIMULATOR_RATE_LIMIT (calls/s per client, 10; 0 = unlimited).
 */
async function main(): Promise<void> {
  const port = integer("SIMULATOR_PORT", 8787);
  const sim = await startSimulator({
    port,
    seed: integer("SIMULATOR_SEED", 1),
    offersPerWeekday: integer("SIMULATOR_OFFERS_PER_WEEKDAY", 50_000),
    rateLimitPerSecond: integer("SIMULATOR_RATE_LIMIT", 10),
  });
  console.log(`France Travail simulator listening on ${sim.url}`);
  console.log(`  FRANCE_TRAVAIL_TOKEN_URL=${sim.tokenUrl}`);
  console.log(`  FRANCE_TRAVAIL_API_URL=${sim.apiUrl}`);
  console.log(`  (any non-empty FRANCE_TRAVAIL_CLIENT_ID / FRANCE_TRAVAIL_CLIENT_SECRET)`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

function integer(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got "${text}"`);
  }
  return value;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
