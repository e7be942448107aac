import { describe, expect, it } from "vitest";
import { defineAsset } from "../definitions/asset";
import { Definitions } from "../definitions/definitions";
import { InvalidPartitionError, UnknownAssetError } from "../errors";
import { buildExampleDefinitions } from "../examples/example-definitions";
import { dailyPartitions, staticPartitions } from "../partitions/definition";
import { prepareBackfill } from "./prepare-backfill";

const examples = buildExampleDefinitions() as Definitions<unknown>;
const now = new Date("2024-09-15T12:00:00Z");

describe("prepareBackfill", () => {
  it("validates the range like a run and cuts it into chunks of 10 by default", () => {
    const prepared = prepareBackfill(
      examples,
      { selection: "raw/events+", from: "2024-06-01", to: "2024-06-25" },
      now,
    );
    expect(prepared).toMatchObject({
      selection: "raw/events+",
      fromKey: "2024-06-01",
      toKey: "2024-06-25",
      chunkSize: 10,
      assetKeys: ["raw/events", "staging/events_clean", "marts/summary"],
      pools: [],
      partitionCount: 25,
    });
    expect(prepared.chunks.map((c) => [c.from, c.to, c.partitionCount])).toEqual([
      ["2024-06-01", "2024-06-10", 10],
      ["2024-06-11", "2024-06-20", 10],
      ["2024-06-21", "2024-06-25", 5],
    ]);
  });

  it("takes the chunk size asked for", () => {
    const prepared = prepareBackfill(
      examples,
      { selection: "raw/events", from: "2024-06-01", to: "2024-06-03", chunkSize: 1 },
      now,
    );
    expect(prepared.chunks.map((c) => c.from)).toEqual(["2024-06-01", "2024-06-02", "2024-06-03"]);
  });

  it("refuses bad input with the errors a run gets", () => {
    const attempt = (selection: string, from: string, to: string, chunkSize?: number) => () =>
      prepareBackfill(
        examples,
        { selection, from, to, ...(chunkSize !== undefined ? { chunkSize } : {}) },
        now,
      );
    expect(attempt("raw/nope", "2024-06-01", "2024-06-02")).toThrow(UnknownAssetError);
    expect(attempt("raw/events", "2024-02-30", "2024-06-02")).toThrow(InvalidPartitionError);
    expect(attempt("raw/events", "2024-01-01", "2024-06-02")).toThrow(/out of range/);
    expect(attempt("raw/events", "2024-06-02", "2024-06-01")).toThrow(/reversed/);
    expect(attempt("ref/countries", "2024-06-01", "2024-06-02")).toThrow(
      /no selected asset is partitioned/,
    );
    expect(attempt("raw/events", "2024-06-01", "2024-06-02", 0)).toThrow(/chunk size/);
  });

  it("needs the partitioned assets to share their keys, and takes their pools", () => {
    const materialize = async () => ({});
    const defs = Definitions.create({
      assets: [
        defineAsset({
          key: "days",
          partitions: dailyPartitions({ start: "2024-01-01" }),
          tags: { pool: "api" },
          materialize,
        }),
        defineAsset({
          key: "days_utc",
          partitions: dailyPartitions({ start: "2024-01-01", timezone: "UTC" }),
          materialize,
        }),
        defineAsset({ key: "regions", partitions: staticPartitions(["a", "b"]), materialize }),
      ],
    }) as Definitions<unknown>;
    const ok = prepareBackfill(
      defs,
      { selection: "days,days_utc", from: "2024-03-01", to: "2024-03-02" },
      now,
    );
    expect(ok.assetKeys).toEqual(["days", "days_utc"]);
    expect(ok.pools).toEqual(["api"]);
    expect(() =>
      prepareBackfill(defs, { selection: "days,regions", from: "a", to: "b" }, now),
    ).toThrow(InvalidPartitionError);
  });
});
