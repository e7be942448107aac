import type { RunEvent } from "../storage/run-event";

/**
 * `lignee materialize --log`: the line an event prints, if any — what each asset logs as it
 * goes (info and warnings; errors are printed anyway), each step's start, and each asset
 * materialised with its row count. One line per log call of the asset, so an asset that logs its
 * progress now and then (a collection every quarter of the day's offers) is followed readably.
 *
 * @example
 * progressLine({ type: "MATERIALIZATION", assetKey: "raw/offres", partitionKey: "2024-08-01",
 *   data: { metadata: { rows: 1200 } }, … })
 * // "✓ raw/offres[2024-08-01] materialised: 1200 rows"
 */
export function progressLine(event: RunEvent): string | undefined {
  const where = event.assetKey
    ? `${event.assetKey}${event.partitionKey ? `[${event.partitionKey}]` : ""}`
    : (event.stepKey ?? "");
  switch (event.type) {
    case "STEP_START":
      return `… ${event.stepKey ?? where}`;
    case "LOG":
      return event.level === "info" || event.level === "warn"
        ? `  ${where}: ${event.message}`
        : undefined;
    case "MATERIALIZATION": {
      const rows = (event.data?.metadata as Record<string, unknown> | undefined)?.rows;
      return `✓ ${where} materialised${typeof rows === "number" ? `: ${rows} rows` : ""}`;
    }
    case "CHECK_EVALUATION":
      return `${event.level === "info" ? "✓" : "✗"} ${event.message}`;
    default:
      return undefined;
  }
}
