import { describe, expect, it } from "vitest";
import { InvalidPartitionError } from "../errors";
import {
  partitionRequestFromFields,
  partitionRequestOf,
  readPartitionRequest,
  serializePartitionRequest,
  storedPartitionRequest,
  type PartitionFieldNames,
  type PartitionRequest,
} from "./partition-request";

const FLAGS: PartitionFieldNames = {
  partition: "--partition",
  from: "--from",
  to: "--to",
  stale: "--stale",
  includeMissingUpstream: "--with-upstream",
};

describe("partitionRequestFromFields", () => {
  it.each([
    [{}, { kind: "none" }],
    [{ partition: "2024-08-01" }, { kind: "single", key: "2024-08-01" }],
    [
      { from: "2024-08-01", to: "2024-08-03" },
      { kind: "range", from: "2024-08-01", to: "2024-08-03" },
    ],
    [{ stale: true }, { kind: "stale" }],
    [
      { stale: true, from: "2024-08-01", to: "2024-08-03" },
      { kind: "stale", from: "2024-08-01", to: "2024-08-03" },
    ],
    [
      { stale: false, partition: "2024-08-01" },
      { kind: "single", key: "2024-08-01" },
    ],
  ])("reads %j as %j", (fields, expected) => {
    expect(partitionRequestFromFields(fields)).toEqual(expected);
  });

  it.each([
    [{ stale: true, partition: "a" }, "give either stale or partition, not both"],
    [{ stale: true, from: "a" }, "from and to go together"],
    [{ partition: "a", from: "b", to: "c" }, "give either partition or from/to, not both"],
    [{ from: "a" }, "from and to go together"],
    [{ to: "a" }, "from and to go together"],
  ])("refuses %j with the body's field names", (fields, message) => {
    expect(() => partitionRequestFromFields(fields)).toThrow(InvalidPartitionError);
    expect(() => partitionRequestFromFields(fields)).toThrow(message);
  });

  it.each([
    [{ stale: true, partition: "a" }, "give either --stale or --partition, not both"],
    [{ stale: true, to: "a" }, "--from and --to go together"],
    [{ partition: "a", to: "c" }, "give either --partition or --from/--to, not both"],
    [{ from: "a" }, "--from and --to go together"],
  ])("names the CLI's flags when given them: %j", (fields, message) => {
    expect(() => partitionRequestFromFields(fields, FLAGS)).toThrow(message);
  });
});

describe("the serialised form", () => {
  const requests: PartitionRequest[] = [
    { kind: "none" },
    { kind: "single", key: "2024-08-01" },
    { kind: "range", from: "2024-08-01", to: "2024-08-03" },
    { kind: "stale" },
    { kind: "stale", from: "2024-08-01", to: "2024-08-03" },
  ];

  it.each(requests)("round-trips %j through JSON", (request) => {
    const json = JSON.parse(JSON.stringify(serializePartitionRequest(request))) as unknown;
    expect(readPartitionRequest(json)).toEqual(request);
    expect(storedPartitionRequest(json)).toEqual(request);
  });

  it("puts the kind first and drops anything else, so equal requests are equal JSON", () => {
    const extra = { to: "b", from: "a", kind: "range", note: "x" } as unknown as PartitionRequest;
    expect(JSON.stringify(serializePartitionRequest(extra))).toBe(
      '{"kind":"range","from":"a","to":"b"}',
    );
  });

  it("reads a missing spec as no partitions", () => {
    expect(readPartitionRequest(null)).toEqual({ kind: "none" });
    expect(readPartitionRequest(undefined)).toEqual({ kind: "none" });
  });

  it.each([
    { kind: "single" },
    { kind: "single", key: 3 },
    { kind: "range", from: "a" },
    { kind: "weekly" },
    "2024-08-01",
    42,
  ])("reads %j as malformed", (value) => {
    expect(readPartitionRequest(value)).toBeUndefined();
    expect(() => storedPartitionRequest(value)).toThrow(
      `stored partition request is malformed: ${JSON.stringify(value)}`,
    );
  });
});

describe("partitionRequestOf (schedules and sensors)", () => {
  it("takes a key, a request, or nothing", () => {
    expect(partitionRequestOf("2024-08-01", "x")).toEqual({ kind: "single", key: "2024-08-01" });
    expect(partitionRequestOf({ kind: "stale" }, "x")).toEqual({ kind: "stale" });
    expect(partitionRequestOf(undefined, "x")).toEqual({ kind: "none" });
  });

  it("names its giver when the value is neither", () => {
    expect(() => partitionRequestOf(null, 'sensor "files"')).toThrow(
      'sensor "files": expected a partition key or request, got null',
    );
    expect(() => partitionRequestOf({ kind: "single" }, 'schedule "daily"')).toThrow(
      'schedule "daily": expected a partition key or request, got {"kind":"single"}',
    );
  });
});
