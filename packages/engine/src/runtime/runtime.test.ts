import { describe, expect, it } from "vitest";
import { externalDatabaseUrl } from "./runtime";

describe("externalDatabaseUrl", () => {
  it("takes the option, else DATABASE_URL; an empty value is none (the embedded server)", () => {
    const url = "postgres://u:p@db:5432/x";
    expect(externalDatabaseUrl(url, { DATABASE_URL: "postgres://other" })).toBe(url);
    expect(externalDatabaseUrl(undefined, { DATABASE_URL: url })).toBe(url);
    expect(externalDatabaseUrl(undefined, {})).toBeUndefined();
    expect(externalDatabaseUrl(undefined, { DATABASE_URL: "" })).toBeUndefined();
    expect(externalDatabaseUrl(undefined, { DATABASE_URL: "  " })).toBeUndefined();
    expect(externalDatabaseUrl("", { DATABASE_URL: url })).toBeUndefined();
  });
});
