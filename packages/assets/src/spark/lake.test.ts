import { describe, expect, it } from "vitest";
import { lakeLocation, sparkPath } from "./lake";

describe("lakeLocation", () => {
  it("is the data folder's lake/ for a raw store in a folder", () => {
    expect(lakeLocation("file:///srv/lignee/data", "/srv/lignee/data", {})).toBe(
      "/srv/lignee/data/lake",
    );
  });

  it("is the bucket's prefix + lake through s3a for a raw store in S3", () => {
    expect(lakeLocation("s3://lake/lignee/", "/tmp/data", {})).toBe("s3a://lake/lignee/lake");
    expect(lakeLocation("s3://bucket", "/tmp/data", {})).toBe("s3a://bucket/lake");
  });

  it("is LIGNEE_LAKE when set, s3:// read through s3a", () => {
    expect(lakeLocation("file:///d", "/d", { LIGNEE_LAKE: "/mnt/lake" })).toBe("/mnt/lake");
    expect(lakeLocation("file:///d", "/d", { LIGNEE_LAKE: "s3://b/l" })).toBe("s3a://b/l");
  });

  it("leaves a local path alone", () => {
    expect(sparkPath("/data/raw/offres/offres-2024-08-01.ndjson")).toBe(
      "/data/raw/offres/offres-2024-08-01.ndjson",
    );
  });
});
