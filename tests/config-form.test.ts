import { configJsonSchema, z } from "@lignee/engine";
import { describe, expect, it } from "vitest";
import {
  configFields,
  initialDraft,
  readDraft,
  type ConfigJsonSchema,
} from "../packages/ui/src/components/config-form";

/**
 * The UI's config form over what the engine really answers for a zod schema (`configJsonSchema`,
 * as `GET /api/assets` does): the fields it makes, and that what it reads from a draft is what
 * the schema takes.
 */
const Config = z.object({
  pageSize: z.number().int().min(1).max(150).default(150).describe("offers asked per page"),
  mode: z.enum(["full", "sample"]).default("full"),
  label: z.string().optional(),
  note: z.string().default("n/a"),
  dryRun: z.boolean().default(false),
  verbose: z.boolean().optional(),
  ratio: z.number().gt(0),
  tags: z.array(z.string()).default([]),
});
const schema = configJsonSchema(Config) as ConfigJsonSchema;
const fields = configFields(schema);

describe("config form over the engine's JSON Schema", () => {
  it("makes a field per property with its kind, requirement, default and bounds", () => {
    expect(fields.map((f) => [f.name, f.kind, f.required, f.default])).toEqual([
      ["pageSize", "integer", false, 150],
      ["mode", "enum", false, "full"],
      ["label", "string", false, undefined],
      ["note", "string", false, "n/a"],
      ["dryRun", "boolean", false, false],
      // Optional without a default: unset, true or false.
      ["verbose", "enum", false, undefined],
      ["ratio", "number", true, undefined],
      ["tags", "json", false, []],
    ]);
    expect(fields[0]).toMatchObject({ minimum: 1, maximum: 150 });
    expect(fields[6]).toMatchObject({ exclusiveMinimum: 0 });
    expect(fields.find((f) => f.name === "verbose")?.options).toEqual([true, false]);
  });

  it("reads the defaults as the schema's defaults, and what it reads the schema takes", () => {
    const { value, errors } = readDraft(fields, { ...initialDraft(fields), ratio: "0.5" });
    expect(errors).toEqual({});
    expect(value).toEqual({
      pageSize: 150,
      mode: "full",
      note: "n/a",
      dryRun: false,
      ratio: 0.5,
      tags: [],
    });
    expect(Config.parse(value)).toEqual({ ...(value as object) });
  });

  it("sends an empty string when a string with a default is cleared, and leaves an optional boolean unset", () => {
    const draft = { ...initialDraft(fields), ratio: "1", note: "", verbose: "" };
    const { value, errors } = readDraft(fields, draft);
    expect(errors).toEqual({});
    expect(value).toMatchObject({ note: "" });
    expect(value).not.toHaveProperty("verbose");
    expect(Config.parse(value).note).toBe("");
    const set = readDraft(fields, { ...draft, verbose: "false" });
    expect(set.value).toMatchObject({ verbose: false });
    expect(Config.parse(set.value).verbose).toBe(false);
  });

  it("refuses what the schema refuses before anything is sent", () => {
    const { errors } = readDraft(fields, { ...initialDraft(fields), pageSize: "0", ratio: "" });
    expect(errors).toEqual({ pageSize: "at least 1", ratio: "required" });
  });
});
