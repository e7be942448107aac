import { describe, expect, it } from "vitest";
import {
  configFields,
  initialDraft,
  issuesByField,
  readDraft,
  WHOLE,
  type ConfigJsonSchema,
} from "./config-form";

/** What the engine answers for `z.object({ pageSize, mode, label, dryRun, ratio, tags })`. */
const schema: ConfigJsonSchema = {
  type: "object",
  properties: {
    pageSize: { type: "integer", default: 150, minimum: 1, maximum: 150, description: "per page" },
    mode: { type: "string", enum: ["full", "sample"], default: "full" },
    label: { type: "string" },
    dryRun: { type: "boolean", default: false },
    ratio: { type: "number", exclusiveMinimum: 0 },
    tags: { type: "array", items: { type: "string" }, default: [] },
  },
  required: ["ratio"],
};

describe("config form", () => {
  const fields = configFields(schema);

  it("makes a field of each property, in order, the uncommon types as JSON", () => {
    expect(fields.map((f) => [f.name, f.kind, f.required])).toEqual([
      ["pageSize", "integer", false],
      ["mode", "enum", false],
      ["label", "string", false],
      ["dryRun", "boolean", false],
      ["ratio", "number", true],
      ["tags", "json", false],
    ]);
    expect(fields[0]!.description).toBe("per page");
  });

  it("starts from the defaults and reads them back as the config", () => {
    const draft = initialDraft(fields);
    expect(draft).toEqual({
      pageSize: "150",
      mode: "full",
      label: "",
      dryRun: false,
      ratio: "",
      tags: "[]",
    });
    expect(readDraft(fields, { ...draft, ratio: "0.5" })).toEqual({
      value: { pageSize: 150, mode: "full", dryRun: false, ratio: 0.5, tags: [] },
      errors: {},
    });
  });

  it("refuses what the schema refuses, per field", () => {
    const draft = { ...initialDraft(fields), pageSize: "500", tags: "[oops", ratio: "" };
    expect(readDraft(fields, draft).errors).toEqual({
      pageSize: "at most 150",
      ratio: "required",
      tags: "not valid JSON",
    });
    expect(readDraft(fields, { ...draft, pageSize: "2.5" }).errors.pageSize).toBe("a whole number");
    expect(readDraft(fields, { ...draft, ratio: "0" }).errors.ratio).toBe("more than 0");
  });

  it("edits a config that is not an object of fields as one JSON value", () => {
    const whole = configFields({ type: "array", items: { type: "number" } });
    expect(whole.map((f) => [f.name, f.kind])).toEqual([[WHOLE, "json"]]);
    expect(readDraft(whole, { [WHOLE]: "[1, 2]" })).toEqual({ value: [1, 2], errors: {} });
  });

  it("puts the server's issues next to their fields", () => {
    expect(
      issuesByField([
        { assetKey: "a", path: ["pageSize"], message: "Too big" },
        { assetKey: "a", path: ["tags", 0], message: "Expected string" },
        { assetKey: "b", path: [], message: "this asset takes no config" },
      ]),
    ).toEqual({
      a: { pageSize: "Too big", tags: "0: Expected string" },
      b: { [WHOLE]: "this asset takes no config" },
    });
  });
});
