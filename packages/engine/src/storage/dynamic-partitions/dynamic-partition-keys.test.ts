import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { PostgresStorage } from "../postgres-storage";

/**
 * The keys of dynamic partitions sets on real PostgreSQL: indices handed out once and never
 * again, all-or-nothing adds and removals, concurrent adds from several connections.
 */
let storages: PostgresStorage[];
let storage: PostgresStorage;

beforeAll(async () => {
  const url = await createTestDatabase();
  storages = [PostgresStorage.connect(url), PostgresStorage.connect(url)];
  storage = storages[0]!;
});

afterAll(async () => {
  await Promise.all(storages.map((s) => s.close()));
});

const indices = async (name: string): Promise<Record<string, number>> => {
  const keys = (await storage.readDynamicPartitions([name])).dynamicPartitionKeys(name);
  return Object.fromEntries([...keys.indices].map((i) => [keys.keyOf(i)!, i]));
};

describe("dynamic partition keys", () => {
  it("gives each new key the next index, and a key added again its own index back", async () => {
    expect(await storage.addDynamicPartitions("s", ["a", "b", "c"])).toEqual({
      added: ["a", "b", "c"],
      existing: [],
    });
    expect(await storage.removeDynamicPartitions("s", ["b"])).toEqual(["b"]);
    expect(await storage.addDynamicPartitions("s", ["d"])).toEqual({ added: ["d"], existing: [] });
    expect(await indices("s")).toEqual({ a: 0, c: 2, d: 3 });
    await storage.addDynamicPartitions("s", ["b"]);
    expect(await indices("s")).toEqual({ a: 0, b: 1, c: 2, d: 3 });
  });

  it("adds or removes all the keys given, or none", async () => {
    await expect(storage.addDynamicPartitions("s", ["e", "a"])).rejects.toThrow(
      /"a" already exists/,
    );
    await expect(storage.removeDynamicPartitions("s", ["a", "zz"])).rejects.toThrow(
      /"zz" not in the set/,
    );
    await expect(storage.addDynamicPartitions("s", ["e", "e"])).rejects.toThrow(/given twice/);
    expect(await indices("s")).toEqual({ a: 0, b: 1, c: 2, d: 3 });
    // Sensors and assets skip what is there.
    expect(await storage.addDynamicPartitions("s", ["e", "a"], { existing: "skip" })).toEqual({
      added: ["e"],
      existing: ["a"],
    });
    expect(await indices("s")).toEqual({ a: 0, b: 1, c: 2, d: 3, e: 4 });
  });

  it("never gives one index twice when several connections add keys at once", async () => {
    const batches = Array.from({ length: 8 }, (_, b) =>
      Array.from({ length: 25 }, (_, i) => `b${b}-k${i}`),
    );
    await Promise.all(
      batches.map((keys, b) => storages[b % 2]!.addDynamicPartitions("busy", keys)),
    );
    const all = Object.values(await indices("busy"));
    expect(all).toHaveLength(200);
    expect(new Set(all).size).toBe(200);
    expect(Math.max(...all)).toBe(199);
  });

  it("reads the keys again once another process changed them", async () => {
    const [one, other] = storages as [PostgresStorage, PostgresStorage];
    await one.addDynamicPartitions("seen", ["a", "b"]);
    expect((await one.readDynamicPartitions(["seen"])).dynamicPartitionKeys("seen").keys).toEqual([
      "a",
      "b",
    ]);
    await other.removeDynamicPartitions("seen", ["a"]);
    expect((await one.readDynamicPartitions(["seen"])).dynamicPartitionKeys("seen").keys).toEqual([
      "b",
    ]);
    await other.addDynamicPartitions("seen", ["c"]);
    await other.addDynamicPartitions("seen", ["b", "c"], { existing: "skip" });
    expect((await one.readDynamicPartitions(["seen"])).dynamicPartitionKeys("seen").keys).toEqual([
      "b",
      "c",
    ]);
  });

  it("applies changes of several sets in one transaction, all or none", async () => {
    await storage.addDynamicPartitions("u", ["x", "y"]);
    // The last change is bad: neither the add nor the removal before it is written.
    await expect(
      storage.applyDynamicPartitionsChanges([
        { kind: "add", name: "v", keys: ["new"] },
        { kind: "remove", name: "u", keys: ["x"] },
        { kind: "add", name: "u", keys: ["bad/key"] },
      ]),
    ).rejects.toThrow(/"bad\/key"/);
    expect(await indices("u")).toEqual({ x: 0, y: 1 });
    expect(await indices("v")).toEqual({});
    // Applied twice: a key already there or already gone is skipped.
    const changes = [
      { kind: "add", name: "v", keys: ["new"] },
      { kind: "remove", name: "u", keys: ["x", "zz"] },
    ] as const;
    expect(await storage.applyDynamicPartitionsChanges(changes)).toEqual([["new"], ["x"]]);
    expect(await storage.applyDynamicPartitionsChanges(changes)).toEqual([[], []]);
    expect(await indices("u")).toEqual({ y: 1 });
    expect(await indices("v")).toEqual({ new: 0 });
  });

  it("keeps the sets apart", async () => {
    await storage.addDynamicPartitions("t", ["a"]);
    expect(await indices("t")).toEqual({ a: 0 });
    const snapshot = await storage.readDynamicPartitions(["s", "t"]);
    expect(snapshot.dynamicPartitionKeys("s").keys).toEqual(["a", "b", "c", "d", "e"]);
    expect(snapshot.dynamicPartitionKeys("unknown").keys).toEqual([]);
  });
});
