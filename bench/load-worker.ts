/**
 * Child process of `pnpm bench load`: loads one NDJSON file as one day of offers and prints
 * its figures as JSON, so that the peak RSS measured is the loader's alone.
 */
import { loadOffresDay } from "../packages/assets/src/offres/loader";
import { Warehouse } from "../packages/assets/src/warehouse/warehouse";

const [url, file, day] = process.argv.slice(2);
if (!url || !file || !day) {
  console.error("usage: load-worker URL FILE DAY");
  process.exit(2);
}
const warehouse = new Warehouse(url);
const started = performance.now();
const stats = await loadOffresDay(warehouse, file, day);
const ms = performance.now() - started;
await warehouse.close();
process.stdout.write(
  `${JSON.stringify({ rows: stats.rows, bytes: stats.bytes, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`,
);
