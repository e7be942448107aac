/**
 * Writes a synthetic StockEtablissement file.
 *
 *   tsx packages/assets/src/sirene/generate-main.ts ROWS OUTPUT [--zip] [--seed N]
 *
 * e.g. `tsx packages/assets/src/sirene/generate-main.ts 2500000 /tmp/StockEtablissement_utf8.zip --zip`
 */
import { parseArgs } from "node:util";
import { generateStockEtablissement } from "./generator";

const USAGE = "usage: generate-main.ts ROWS OUTPUT [--zip] [--seed N] [--active-rate R]";

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        zip: { type: "boolean", default: false },
        seed: { type: "string", default: "1" },
        "active-rate": { type: "string", default: "0.85" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [rowsArg, output, ...rest] = parsed.positionals;
  const rows = Number(rowsArg?.replace(/_/g, ""));
  const seed = Number(parsed.values.seed);
  const activeRate = Number(parsed.values["active-rate"]);
  if (
    output === undefined ||
    rest.length > 0 ||
    !Number.isInteger(rows) ||
    rows < 0 ||
    !Number.isInteger(seed) ||
    !(activeRate >= 0 && activeRate <= 1)
  ) {
    console.error(USAGE);
    return 2;
  }
  const stats = await generateStockEtablissement(output, {
    rows,
    seed,
    activeRate,
    zip: parsed.values.zip,
  });
  const perSecond = Math.round(stats.rows / Math.max(stats.durationMs / 1000, 0.001));
  console.log(
    `${output}: ${stats.rows} rows (${stats.active} active), ${stats.bytes} CSV bytes, ` +
      `${stats.durationMs} ms (${perSecond} rows/s)`,
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
