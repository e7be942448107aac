import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  computeStatus,
  defineAsset,
  Definitions,
  dynamicPartitions,
  executeRun,
  loadDynamicPartitions,
  prepareRun,
  type PartitionRequest,
} from "@lignee/engine";
import { openTestApi, type TestApi } from "./support/api";

/**
 * A key removed while its partition was stale: the stale partition goes with the key, and the
 * assets downstream are no longer held stale by a partition that does not exist.
 */
const set = dynamicPartitions({ name: "letters" });

const definitionsAt = (codeVersion: string): Definitions<unknown> =>
  Definitions.create<unknown>({
    assets: [
      defineAsset({
        key: "a",
        partitions: set,
        codeVersion,
        materialize: async () => undefined,
      }),
      defineAsset({ key: "d", deps: ["a"], materialize: async () => undefined }),
    ],
  });

let t: TestApi;

beforeAll(async () => {
  t = await openTestApi(definitionsAt("1"));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

async function materialize(
  definitions: Definitions<unknown>,
  selection: string,
  partitions: PartitionRequest,
): Promise<void> {
  const loaded = await loadDynamicPartitions(definitions, t.storage);
  const prepared = prepareRun(loaded, { selection, partitions }, new Date());
  const result = await executeRun({ definitions, storage: t.storage, prepared });
  expect(result.outcome, result.error).toBe("SUCCESS");
}

async function status(definitions: Definitions<unknown>) {
  const loaded = await loadDynamicPartitions(definitions, t.storage);
  return computeStatus(loaded, await t.storage.getAssetSummaries(), new Date());
}

describe("removing a dynamic key", () => {
  it("takes its stale partition away from the causes, and from what downstream reads", async () => {
    const v1 = definitionsAt("1");
    await t.storage.addDynamicPartitions("letters", ["a", "b", "c"]);
    await materialize(v1, "a", { kind: "range", from: "a", to: "c" });
    await materialize(v1, "d", { kind: "none" });

    // A's code changes; a and c are rebuilt, b is removed before it is.
    const v2 = definitionsAt("2");
    await materialize(v2, "a", { kind: "range", from: "a", to: "a" });
    await materialize(v2, "a", { kind: "single", key: "c" });
    await t.storage.removeDynamicPartitions("letters", ["b"]);
    await materialize(v2, "d", { kind: "none" });

    const statuses = await status(v2);
    const a = statuses.get("a")!;
    expect(a.causes).toEqual([]);
    expect(a.subsets.STALE.isEmpty).toBe(true);
    const d = statuses.get("d")!;
    expect(d.causes).toEqual([]);
    expect(d.subsets.STALE.isEmpty).toBe(true);
    expect(d.subsets.FRESH.isEmpty).toBe(false);

    // Nothing is stale, so a stale request has nothing to do.
    const loaded = await loadDynamicPartitions(v2, t.storage);
    expect(() =>
      prepareRun(loaded, { selection: "*", partitions: { kind: "stale" } }, new Date(), statuses),
    ).toThrow(/nothing to materialise/);
  });
});
