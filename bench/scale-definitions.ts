import { dailyPartitions, defineAsset, Definitions } from "@lignee/engine";

/**
 * The definitions `pnpm bench scale` runs its workers on: a daily no-op asset (the backfill)
 * and an asset that waits until cancelled (the run a worker dies in the middle of).
 */
export default Definitions.create({
  assets: [
    defineAsset({
      key: "bench/noop",
      partitions: dailyPartitions({ start: "2024-01-01" }),
      materialize: async () => undefined,
    }),
    defineAsset({
      key: "bench/slow",
      materialize: (ctx) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 120_000);
          ctx.signal.addEventListener("abort", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    }),
  ],
});
