import { expect, it } from "vitest";
import { scrubCredentials } from "./scrub-credentials";

it("drops the user information and query of URLs, and keeps the rest of the text", () => {
  expect(
    scrubCredentials(
      "connect postgres://lignee:s3cret@db:5432/warehouse failed; GET https://api.example.org/v2/offres?token=abc&x=1 returned 503",
    ),
  ).toBe(
    "connect postgres://db:5432/warehouse failed; GET https://api.example.org/v2/offres?… returned 503",
  );
  expect(scrubCredentials("no URL here: HTTP 503")).toBe("no URL here: HTTP 503");
});
