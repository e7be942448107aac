import { describe, expect, it } from "vitest";
import { DefinitionError } from "../errors";
import { allPartitions, dailyPartitions } from "../partitions/definition";
import { dynamicPartitions, DynamicPartitionsSnapshot } from "../partitions/dynamic";
import { identityMapping } from "../partitions/mapping";
import { defineAsset } from "./asset";
import { Definitions } from "./definitions";

const now = new Date("2024-08-02T10:00:00Z");
const snapshot = DynamicPartitionsSnapshot.fromRows([
  { set: "files", key: "a", index: 0, removed: false },
  { set: "files", key: "b", index: 1, removed: false },
]);

describe("Definitions.withDynamicPartitions", () => {
  it("gives the dynamic assets the keys read, and shares the resources of the definitions", async () => {
    let created = 0;
    const definitions = Definitions.create({
      assets: [
        defineAsset({
          key: "raw/files",
          partitions: dynamicPartitions({ name: "files" }),
          materialize: async () => undefined,
        }),
        defineAsset({
          key: "raw/days",
          partitions: dailyPartitions({ start: "2024-08-01" }),
          materialize: async () => undefined,
        }),
      ],
      resources: () => ({ n: ++created }),
    });
    expect(definitions.dynamicPartitionsNames).toEqual(["files"]);
    const loaded = definitions.withDynamicPartitions(snapshot);
    const def = loaded.get("raw/files").partitions!;
    expect(allPartitions(def, now).size).toBe(2);
    expect(() => allPartitions(definitions.get("raw/files").partitions!, now)).toThrow(
      /keys not loaded/,
    );
    expect(loaded.get("raw/days")).toBe(definitions.get("raw/days"));
    expect(loaded.assets.map((a) => a.key)).toEqual(definitions.assets.map((a) => a.key));
    // Loading again starts from the original definitions.
    const again = loaded.withDynamicPartitions(DynamicPartitionsSnapshot.fromRows([]));
    expect(allPartitions(again.get("raw/files").partitions!, now).isEmpty).toBe(true);

    const env = { databaseUrl: "", home: "" };
    expect(await loaded.resolveResources(env)).toBe(await definitions.resolveResources(env));
    expect(await again.resolveResources(env)).toBe(await definitions.resolveResources(env));
    expect(created).toBe(1);
  });

  it("returns definitions without dynamic partitions as they are", () => {
    const definitions = Definitions.create({
      assets: [defineAsset({ key: "a", materialize: async () => undefined })],
    });
    expect(definitions.withDynamicPartitions(snapshot)).toBe(definitions);
  });

  it("refuses an identity mapping between two dynamic sets", () => {
    expect(() =>
      Definitions.create({
        assets: [
          defineAsset({
            key: "up",
            partitions: dynamicPartitions({ name: "one" }),
            materialize: async () => undefined,
          }),
          defineAsset({
            key: "down",
            partitions: dynamicPartitions({ name: "two" }),
            deps: [{ asset: "up", mapping: identityMapping() }],
            materialize: async () => undefined,
          }),
        ],
      }),
    ).toThrow(DefinitionError);
  });
});
