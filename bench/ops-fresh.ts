import {
  computeFreshness,
  dailyPartitions,
  dayIn,
  defineAsset,
  Definitions,
  IntervalSet,
  parseDateKey,
  type AssetStorageSummary,
} from "@lignee/engine";

/**
 * Freshness at read time: every `GET /api/assets`, `lignee status` and scheduler evaluation
 * evaluates every policy. Figures for an estate of 2,000 daily assets (from 2024-05-23, J-1 by
 * 07:00 Paris), a third of them with a gap of missing recent days: the whole estate evaluated
 * (median of 20), in milliseconds.
 */
const ASSETS = 2_000;
const ROUNDS = 20;

export async function freshnessBenchmark(): Promise<Record<string, number>> {
  const now = new Date();
  const days = dailyPartitions({ start: "2024-05-23" });
  const definitions = Definitions.create({
    assets: Array.from({ length: ASSETS }, (_, i) =>
      defineAsset({
        key: `estate/a${i}`,
        partitions: days,
        freshness: { deadline: "0 7 * * *", timezone: "Europe/Paris" },
        materialize: async () => undefined,
      }),
    ),
  }) as Definitions<unknown>;
  const start = parseDateKey("2024-05-23")!;
  const yesterday = dayIn("Europe/Paris", now) - 1;
  const summaries = new Map<string, AssetStorageSummary>();
  for (let i = 0; i < ASSETS; i++) {
    const end = i % 3 === 0 ? yesterday - (i % 7) - 1 : yesterday;
    summaries.set(`estate/a${i}`, {
      versions: [
        {
          codeVersion: "1",
          depsSignature: "",
          partitions: IntervalSet.fromRanges([
            [start, start + 100],
            [start + 120, end + 1],
          ]),
        },
      ],
      staleMarks: [],
      failed: IntervalSet.EMPTY,
      running: IntervalSet.EMPTY,
    });
  }
  const times: number[] = [];
  let overdue = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const t0 = performance.now();
    const result = computeFreshness(definitions, summaries, new Map(), now);
    times.push(performance.now() - t0);
    overdue = [...result.values()].filter((f) => f.evaluation.state === "overdue").length;
  }
  times.sort((a, b) => a - b);
  const figures = {
    assets: ASSETS,
    overdue,
    evaluateEstateMedianMs: Math.round(times[Math.floor(ROUNDS / 2)]! * 10) / 10,
    evaluateEstateMaxMs: Math.round(times[ROUNDS - 1]! * 10) / 10,
  };
  console.log(
    `freshness: ${ASSETS} daily assets evaluated in ${figures.evaluateEstateMedianMs} ms (median of ${ROUNDS}; max ${figures.evaluateEstateMaxMs} ms), ${overdue} overdue`,
  );
  return figures;
}
