import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidConfigError } from "../errors";
import { defineAsset } from "./asset";
import { configJsonSchema, configOf, resolveRunConfig } from "./run-config";

const collect = defineAsset({
  key: "raw/collect",
  config: z.object({
    pageSize: z.number().int().min(1).default(150),
    mode: z.enum(["full", "sample"]).default("full"),
  }),
  materialize: async () => undefined,
});
const plain = defineAsset({ key: "raw/plain", materialize: async () => undefined });

const issuesOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof InvalidConfigError) return error.issues;
    throw error;
  }
  throw new Error("expected an InvalidConfigError");
};

describe("resolveRunConfig", () => {
  it("applies the defaults, also to an asset given nothing", () => {
    expect(resolveRunConfig([collect, plain], {})).toEqual({
      "raw/collect": { pageSize: 150, mode: "full" },
    });
    expect(resolveRunConfig([collect], { "raw/collect": { pageSize: 3 } })).toEqual({
      "raw/collect": { pageSize: 3, mode: "full" },
    });
  });

  it("lists every issue: unknown keys, assets without a schema, each invalid value", () => {
    expect(
      issuesOf(() =>
        resolveRunConfig([collect, plain], {
          "raw/other": {},
          "raw/plain": { x: 1 },
          "raw/collect": { pageSize: 0, mode: "all" },
        }),
      ),
    ).toEqual([
      { assetKey: "raw/other", path: [], message: "the run does not materialize this asset" },
      { assetKey: "raw/plain", path: [], message: "this asset takes no config" },
      { assetKey: "raw/collect", path: ["pageSize"], message: expect.any(String) },
      { assetKey: "raw/collect", path: ["mode"], message: expect.any(String) },
    ]);
  });

  it("reads the config of an asset keyed like an Object property as its own only", () => {
    const keyed = (key: string) =>
      defineAsset({
        key,
        config: z.object({ n: z.number().default(1) }),
        materialize: async () => undefined,
      });
    expect(resolveRunConfig([keyed("constructor"), keyed("toString")], {})).toEqual({
      constructor: { n: 1 },
      toString: { n: 1 },
    });
    expect(configOf({}, "constructor")).toBeUndefined();
    expect(configOf({ constructor: { n: 2 } }, "constructor")).toEqual({ n: 2 });
  });

  it("answers one JSON Schema per schema, computed once", () => {
    const schema = z.object({ n: z.number().default(1) });
    expect(configJsonSchema(schema)).toBe(configJsonSchema(schema));
  });

  it("says the first issue and counts the others in its message", () => {
    expect(() =>
      resolveRunConfig([collect], { "raw/collect": { pageSize: 0, mode: "all" } }),
    ).toThrow(/^Invalid config: "raw\/collect\.pageSize": .* \(and 1 more issue\)$/);
  });

  it("describes a schema as JSON Schema, as its input (defaults make fields optional)", () => {
    expect(configJsonSchema(collect.config!)).toMatchObject({
      type: "object",
      properties: { pageSize: { type: "integer", default: 150, minimum: 1 } },
    });
    expect(configJsonSchema(collect.config!).required).toBeUndefined();
  });
});
