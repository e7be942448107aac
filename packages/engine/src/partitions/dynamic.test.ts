import { describe, expect, it } from "vitest";
import { InvalidPartitionError, LigneeError } from "../errors";
import {
  allPartitions,
  describePartitions,
  partitionIndex,
  partitionKey,
  partitionKeys,
  partitionsFingerprint,
} from "./definition";
import {
  checkDynamicPartitionKeys,
  dynamicPartitions,
  DynamicPartitionsSnapshot,
  withLoadedKeys,
} from "./dynamic";
import { IntervalSet } from "./interval-set";
import { defaultMapping, mappingProblem, identityMapping } from "./mapping";

const now = new Date("2024-08-02T10:00:00Z");
const months = dynamicPartitions({ name: "months" });
const snapshot = DynamicPartitionsSnapshot.fromRows([
  { set: "months", key: "2024-06", index: 0, removed: false },
  { set: "months", key: "2024-07", index: 1, removed: true },
  { set: "months", key: "2024-08", index: 2, removed: false },
  { set: "other", key: "x", index: 0, removed: false },
]);
const loaded = withLoadedKeys(months, snapshot);

describe("dynamicPartitions", () => {
  it("refuses names that cannot travel in a URL path", () => {
    for (const name of ["", "a/b", ".hidden", "x".repeat(65), "é"]) {
      expect(() => dynamicPartitions({ name }), name).toThrow(InvalidPartitionError);
    }
    expect(dynamicPartitions({ name: "sirene_files-2.v1" })).toEqual({
      kind: "dynamic",
      name: "sirene_files-2.v1",
    });
  });

  it("reads the current keys of its set, leaving removed ones out", () => {
    expect(allPartitions(loaded, now).ranges).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(partitionKeys(loaded, allPartitions(loaded, now))).toEqual(["2024-06", "2024-08"]);
    expect(partitionIndex(loaded, "2024-08", now)).toBe(2);
    // The history of a removed key still names it.
    expect(partitionKey(loaded, 1)).toBe("2024-07");
    expect(() => partitionIndex(loaded, "2024-07", now)).toThrow(/was removed/);
    expect(() => partitionIndex(loaded, "2025-01", now)).toThrow(
      /"2025-01" is not one of dynamic partitions "months": add it first/,
    );
    expect(() => partitionKey(loaded, 7)).toThrow(InvalidPartitionError);
  });

  it("fails loudly when its keys were not loaded", () => {
    expect(() => allPartitions(months, now)).toThrow(/keys not loaded/);
    expect(() => partitionIndex(months, "2024-06", now)).toThrow(/keys not loaded/);
    // A bug of the caller, not bad input.
    let error: unknown;
    try {
      allPartitions(months, now);
    } catch (e) {
      error = e;
    }
    expect(error).not.toBeInstanceOf(InvalidPartitionError);
    expect((error as LigneeError).code).toBe("RUNTIME");
  });

  it("is empty for a set without keys", () => {
    const empty = withLoadedKeys(dynamicPartitions({ name: "none_yet" }), snapshot);
    expect(allPartitions(empty, now).isEmpty).toBe(true);
    expect(() => partitionIndex(empty, "a", now)).toThrow(/it has no key yet/);
  });

  it("describes itself by its set's name", () => {
    expect(describePartitions(months)).toBe("dynamic (months)");
    expect(partitionsFingerprint(months)).toBe("dynamic:months");
    expect(partitionsFingerprint(loaded)).toBe(partitionsFingerprint(months));
  });
});

describe("checkDynamicPartitionKeys", () => {
  it("accepts good keys and names the first bad one", () => {
    expect(() =>
      checkDynamicPartitionKeys("m", ["2024-06", "fichier StockEtablissement"]),
    ).not.toThrow();
    for (const [keys, message] of [
      [[], /no key given/],
      [["a", ""], /empty partition key/],
      [["a", "a"], /"a" is given twice/],
      [["y".repeat(256)], /longer than 255/],
      [["a/b"], /contains "\/"/],
      [["a\nb"], /control character/],
      [[" a"], /starts or ends with a space/],
      [["."], /"\." or "\.\."/],
      [[".."], /"\." or "\.\."/],
    ] as const) {
      expect(() => checkDynamicPartitionKeys("m", keys), JSON.stringify(keys)).toThrow(message);
    }
  });
});

describe("mappings between dynamic partitions", () => {
  const other = dynamicPartitions({ name: "other" });
  it("maps one set onto itself key by key, and two sets through all partitions", () => {
    expect(defaultMapping(months, months)).toEqual(identityMapping());
    expect(defaultMapping(months, other)).toEqual({ kind: "all" });
    expect(mappingProblem(identityMapping(), months, months)).toBeUndefined();
    expect(mappingProblem(identityMapping(), months, other)).toMatch(
      /identity mapping between dynamic partitions months and other/,
    );
    expect(
      mappingProblem({ kind: "time-window", startOffset: -1, endOffset: -1 }, months, months),
    ).toMatch(/needs time partitions/);
  });
});

describe("IntervalSet over dynamic indices", () => {
  it("keeps removed keys as gaps", () => {
    expect(IntervalSet.fromRange(0, 3).intersect(allPartitions(loaded, now)).size).toBe(2);
  });
});
