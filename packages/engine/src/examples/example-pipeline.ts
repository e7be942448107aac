import { defineAsset, type AssetDefinition } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { dailyPartitions } from "../partitions/definition";
import { retryPolicy } from "../definitions/retry-policy";

/**
 * A small example pipeline with the shapes of the job-offer warehouse: a daily raw asset, a
 * daily cleaned asset (identity mapping), an unpartitioned reference table and an
 * unpartitioned mart that reads every daily partition. Used by the tests (with `overrides` to
 * bump code versions or make an asset fail); `example-definitions.ts` is it as a definitions
 * module.
 */
export interface ExampleOverrides {
  readonly codeVersions?: Readonly<Record<string, string>>;
  /** Assets whose materialisation throws. */
  readonly failing?: readonly string[];
  /** Milliseconds each materialisation sleeps (abortable). */
  readonly delayMs?: number;
}

export function buildExampleDefinitions(overrides: ExampleOverrides = {}): Definitions<undefined> {
  const version = (key: string): string => overrides.codeVersions?.[key] ?? "1";
  const work = async (key: string, signal: AbortSignal): Promise<void> => {
    if (overrides.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, overrides.delayMs);
        signal.addEventListener("abort", () => {
          clearTimeout(t);
          reject(new Error("aborted"));
        });
      });
    }
    if (overrides.failing?.includes(key)) throw new Error(`${key}: simulated failure`);
  };
  const daily = dailyPartitions({ start: "2024-05-23", timezone: "Europe/Paris" });

  const assets: AssetDefinition<undefined>[] = [
    defineAsset({
      key: "raw/events",
      group: "ingest",
      tags: { source: "example" },
      codeVersion: version("raw/events"),
      partitions: daily,
      retryPolicy: retryPolicy({ maxRetries: 1, delayMs: 10 }),
      async materialize(ctx) {
        await work(ctx.assetKey, ctx.signal);
        ctx.log.info(`collected ${ctx.partitionKey}`);
        return { metadata: { rows: 100 } };
      },
    }),
    defineAsset({
      key: "staging/events_clean",
      group: "staging",
      deps: ["raw/events"],
      codeVersion: version("staging/events_clean"),
      partitions: daily,
      async materialize(ctx) {
        await work(ctx.assetKey, ctx.signal);
        return { metadata: { rows: 98 } };
      },
    }),
    defineAsset({
      key: "ref/countries",
      group: "reference",
      tags: { source: "example" },
      codeVersion: version("ref/countries"),
      async materialize(ctx) {
        await work(ctx.assetKey, ctx.signal);
        return { metadata: { rows: 3 } };
      },
    }),
    defineAsset({
      key: "marts/summary",
      group: "marts",
      deps: ["staging/events_clean", "ref/countries"],
      codeVersion: version("marts/summary"),
      async materialize(ctx) {
        await work(ctx.assetKey, ctx.signal);
        return { metadata: { rows: 1 } };
      },
    }),
  ];
  return Definitions.create({ assets });
}
