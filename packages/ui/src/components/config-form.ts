import type { AssetNode, ConfigIssue } from "../api/types";

/** An asset's config schema as the API answers it (JSON Schema, as input). */
export type ConfigJsonSchema = NonNullable<AssetNode["configSchema"]>;

/** How a field is edited: an input per common type, a JSON textarea for anything else. */
export type FieldKind = "string" | "number" | "integer" | "boolean" | "enum" | "json";

/** One property of an object config schema, as the form shows it. */
export interface ConfigField {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description: string | undefined;
  readonly default: unknown;
  /** The values of an enum. */
  readonly options: readonly (string | number | boolean | null)[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
}

/**
 * What the user typed, per field: text (or a checkbox's state). `""` is "not given", except for
 * a string with a default, where it is the empty string.
 */
export type ConfigDraft = Readonly<Record<string, string | boolean>>;

/** Per field, what is wrong (the field `""`: the asset's config as a whole). */
export type FieldErrors = Readonly<Record<string, string>>;

/** The field name under which a config that is not an object of fields is edited as JSON. */
export const WHOLE = "";

type Schema = { readonly [key: string]: unknown };

const isSchema = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const numberOf = (value: unknown): number | undefined =>
  typeof value === "number" ? value : undefined;

/**
 * The fields of an object schema, in declaration order; a schema that is not an object of
 * properties gets one JSON field for the whole config (`WHOLE`).
 *
 * @example
 * configFields({ type: "object", properties: { n: { type: "integer", default: 3 } } })
 * // [{ name: "n", kind: "integer", required: false, default: 3, … }]
 */
export function configFields(schema: ConfigJsonSchema): ConfigField[] {
  const properties = schema.properties;
  if (schema.type !== "object" || !isSchema(properties)) {
    return [field(WHOLE, { ...schema, type: undefined, enum: undefined }, true)];
  }
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  return Object.entries(properties).map(([name, property]) =>
    field(name, isSchema(property) ? property : {}, required.includes(name)),
  );
}

function field(name: string, property: Schema, required: boolean): ConfigField {
  const description = typeof property.description === "string" ? property.description : undefined;
  const base = { name, required, description, default: property.default, options: [] };
  if (Array.isArray(property.enum)) {
    return { ...base, kind: "enum", options: property.enum as ConfigField["options"] };
  }
  const bounds = {
    ...(numberOf(property.minimum) !== undefined ? { minimum: numberOf(property.minimum) } : {}),
    ...(numberOf(property.maximum) !== undefined ? { maximum: numberOf(property.maximum) } : {}),
    ...(numberOf(property.exclusiveMinimum) !== undefined
      ? { exclusiveMinimum: numberOf(property.exclusiveMinimum) }
      : {}),
    ...(numberOf(property.exclusiveMaximum) !== undefined
      ? { exclusiveMaximum: numberOf(property.exclusiveMaximum) }
      : {}),
  };
  switch (property.type) {
    case "string":
      return {
        ...base,
        kind: "string",
        ...(numberOf(property.minLength) !== undefined
          ? { minLength: numberOf(property.minLength) }
          : {}),
        ...(numberOf(property.maxLength) !== undefined
          ? { maxLength: numberOf(property.maxLength) }
          : {}),
      };
    case "number":
    case "integer":
      return { ...base, kind: property.type, ...bounds };
    case "boolean":
      // Optional without a default: a checkbox cannot say "not given", a choice can.
      return !required && property.default === undefined
        ? { ...base, kind: "enum", options: [true, false] }
        : { ...base, kind: "boolean" };
    default:
      return { ...base, kind: "json" };
  }
}

/** The form's first state: each field holds its default (empty when it has none). */
export function initialDraft(fields: readonly ConfigField[]): ConfigDraft {
  return Object.fromEntries(
    fields.map((f): [string, string | boolean] => {
      if (f.kind === "boolean") return [f.name, f.default === true];
      if (f.default === undefined) return [f.name, ""];
      if (f.kind === "json") return [f.name, JSON.stringify(f.default, null, 2)];
      return [f.name, String(f.default)];
    }),
  );
}

/**
 * The config a draft gives, checked as far as the schema says (required fields, numbers and
 * their bounds, lengths, enum values, JSON): what the server would refuse is refused before
 * anything is sent. The server's validation stays the truth.
 */
export function readDraft(
  fields: readonly ConfigField[],
  draft: ConfigDraft,
): { readonly value: unknown; readonly errors: FieldErrors } {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = draft[f.name] ?? (f.kind === "boolean" ? false : "");
    const read = readField(f, raw);
    if ("error" in read) errors[f.name] = read.error;
    else if (read.given) value[f.name] = read.value;
  }
  if (fields.length === 1 && fields[0]!.name === WHOLE) {
    return { value: WHOLE in value ? value[WHOLE] : {}, errors };
  }
  return { value, errors };
}

type Read = { given: false } | { given: true; value: unknown } | { error: string };

function readField(f: ConfigField, raw: string | boolean): Read {
  if (typeof raw === "boolean") return { given: true, value: raw };
  // A string with a default that is cleared means "": leaving it out would mean the default.
  if (raw === "" && f.kind === "string" && f.default !== undefined) return readString(f, raw);
  if (raw.trim() === "") return f.required ? { error: "required" } : { given: false };
  switch (f.kind) {
    case "number":
    case "integer":
      return readNumber(f, raw);
    case "enum": {
      const option = f.options.find((o) => String(o) === raw);
      return option === undefined
        ? { error: `one of ${f.options.map(String).join(", ")}` }
        : { given: true, value: option };
    }
    case "json":
      try {
        return { given: true, value: JSON.parse(raw) as unknown };
      } catch {
        return { error: "not valid JSON" };
      }
    default:
      return readString(f, raw);
  }
}

function readString(f: ConfigField, raw: string): Read {
  if (f.minLength !== undefined && raw.length < f.minLength)
    return { error: `at least ${f.minLength} characters` };
  if (f.maxLength !== undefined && raw.length > f.maxLength)
    return { error: `at most ${f.maxLength} characters` };
  return { given: true, value: raw };
}

function readNumber(f: ConfigField, raw: string): Read {
  const n = Number(raw.trim());
  if (!Number.isFinite(n)) return { error: "a number" };
  if (f.kind === "integer" && !Number.isInteger(n)) return { error: "a whole number" };
  if (f.minimum !== undefined && n < f.minimum) return { error: `at least ${f.minimum}` };
  if (f.maximum !== undefined && n > f.maximum) return { error: `at most ${f.maximum}` };
  if (f.exclusiveMinimum !== undefined && n <= f.exclusiveMinimum)
    return { error: `more than ${f.exclusiveMinimum}` };
  if (f.exclusiveMaximum !== undefined && n >= f.exclusiveMaximum)
    return { error: `less than ${f.exclusiveMaximum}` };
  return { given: true, value: n };
}

/**
 * The server's issues (a 400's `issues`) by asset and field: an issue about a nested value goes
 * to the field that holds it, one about the whole config to `WHOLE`.
 */
export function issuesByField(
  issues: readonly ConfigIssue[],
): Record<string, Record<string, string>> {
  const byAsset: Record<string, Record<string, string>> = {};
  for (const issue of issues) {
    const fields = (byAsset[issue.assetKey] ??= {});
    const name = issue.path.length > 0 ? String(issue.path[0]) : WHOLE;
    const nested = issue.path.length > 1 ? `${issue.path.slice(1).join(".")}: ` : "";
    fields[name] ??= `${nested}${issue.message}`;
  }
  return byAsset;
}
