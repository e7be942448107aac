import { describe, expect, it } from "vitest";
import { connectionEnv } from "./dbt-assets";

describe("connectionEnv", () => {
  it("gives profiles.yml the URL's parts, decoded, and its session options as PGOPTIONS", () => {
    expect(
      connectionEnv(
        "postgresql://l%C3%A9a:p%40ss@db.example:6543/entrep%C3%B4t?options=-c%20work_mem%3D64MB",
      ),
    ).toEqual({
      LIGNEE_DBT_HOST: "db.example",
      LIGNEE_DBT_PORT: "6543",
      LIGNEE_DBT_USER: "léa",
      LIGNEE_DBT_PASSWORD: "p@ss",
      LIGNEE_DBT_DBNAME: "entrepôt",
      PGOPTIONS: "-c work_mem=64MB",
    });
  });

  it("sets no PGOPTIONS without options, and the default port without one", () => {
    const env = connectionEnv("postgres://u:p@localhost/w?sslmode=disable");
    expect(env.LIGNEE_DBT_PORT).toBe("5432");
    expect(env).not.toHaveProperty("PGOPTIONS");
  });
});
