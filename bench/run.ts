/**
 * `pnpm bench <name>`: runs one benchmark. Each benchmark is a module exporting `run()`; it
 * writes `bench/results/<name>.json` and prints a short summary.
 */
interface Benchmark {
  run(args: readonly string[]): Promise<void>;
}

const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  engine: () => import("./engine"),
  collect: () => import("./collect"),
  load: () => import("./load"),
  dbt: () => import("./dbt"),
  scale: () => import("./scale"),
  ui: () => import("./ui"),
  ops: () => import("./ops"),
  daily: () => import("./daily"),
  initial: () => import("./initial"),
  lake: () => import("./lake"),
  spark: () => import("./spark"),
};

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const load = name !== undefined && Object.hasOwn(BENCHMARKS, name) ? BENCHMARKS[name] : undefined;
  if (!load) {
    if (name !== undefined) console.error(`unknown benchmark "${name}"`);
    console.error(`usage: pnpm bench <${Object.keys(BENCHMARKS).join("|")}>`);
    process.exit(2);
  }
  await (await load()).run(args);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
