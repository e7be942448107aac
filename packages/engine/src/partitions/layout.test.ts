import { describe, expect, it } from "vitest";
import {
  dailyPartitions,
  hourlyPartitions,
  staticPartitions,
  weeklyPartitions,
} from "./definition";
import { dynamicPartitions } from "./dynamic";
import { partitionsLayout, partitionsLayoutKeeps, recordedPartitionsLayout } from "./layout";
import { multiPartitions } from "./multi";

const daily = dailyPartitions({ start: "2024-08-01" });
const grid = (keys: string[]) =>
  partitionsLayout(multiPartitions({ date: daily, region: staticPartitions(keys) }));
const keeps = (a: string, b: string) => partitionsLayoutKeeps(a, b);

describe("partitionsLayout", () => {
  it("ignores what does not move indices: timezone, start, end offset", () => {
    expect(partitionsLayout(dailyPartitions({ start: "2020-01-01", timezone: "UTC" }))).toBe(
      partitionsLayout(daily),
    );
  });

  it("keeps the layout of static keys added at the end of one dimension only", () => {
    const s = (keys: string[]) => partitionsLayout(staticPartitions(keys));
    expect(keeps(s(["a", "b"]), s(["a", "b", "c"]))).toBe(true);
    expect(keeps(s(["a", "b"]), s(["c", "a", "b"]))).toBe(false);
    // A process still on the definitions before keys were added at the end.
    expect(keeps(s(["a", "b"]), s(["a"]))).toBe(true);
    expect(keeps(s(["a", "b"]), s(["b"]))).toBe(false);
    expect(keeps(s(["a", "b", "c"]), s(["a", "c"]))).toBe(false);
    expect(keeps(grid(["84", "93"]), grid(["84", "93"]))).toBe(true);
    expect(keeps(grid(["84", "93"]), grid(["84", "93", "11"]))).toBe(false);
  });

  it("refuses another grain, first weekday or dynamic set; not a change to or from unpartitioned", () => {
    const hourly = partitionsLayout(hourlyPartitions({ start: "2024-08-01" }));
    expect(keeps(partitionsLayout(daily), hourly)).toBe(false);
    expect(
      keeps(
        partitionsLayout(weeklyPartitions({ start: "2024-08-05" })),
        partitionsLayout(weeklyPartitions({ start: "2024-08-04", weekStartsOn: 7 })),
      ),
    ).toBe(false);
    expect(
      keeps(
        partitionsLayout(dynamicPartitions({ name: "a" })),
        partitionsLayout(dynamicPartitions({ name: "b" })),
      ),
    ).toBe(false);
    expect(keeps(partitionsLayout(undefined), hourly)).toBe(true);
    expect(keeps(hourly, partitionsLayout(undefined))).toBe(true);
  });
});

describe("recordedPartitionsLayout", () => {
  const s = (keys: string[]) => partitionsLayout(staticPartitions(keys));
  const none = partitionsLayout(undefined);

  it("never shrinks a static key list", () => {
    expect(recordedPartitionsLayout(s(["a", "b", "c"]), s(["a", "b"]))).toBe(s(["a", "b", "c"]));
    expect(recordedPartitionsLayout(s(["a", "b"]), s(["a", "b", "c"]))).toBe(s(["a", "b", "c"]));
  });

  it("keeps partitions over unpartitioned, and records unpartitioned only for an asset that never had any", () => {
    expect(recordedPartitionsLayout(s(["a", "b"]), none)).toBe(s(["a", "b"]));
    expect(recordedPartitionsLayout(partitionsLayout(daily), none)).toBe(partitionsLayout(daily));
    expect(recordedPartitionsLayout(undefined, none)).toBe(none);
    expect(recordedPartitionsLayout(none, s(["b", "a"]))).toBe(s(["b", "a"]));
    expect(recordedPartitionsLayout(undefined, grid(["84"]))).toBe(grid(["84"]));
  });
});
