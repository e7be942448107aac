import { describe, expect, it } from "vitest";
import { AuthStoreError, UnknownRunError } from "../errors";
import { toHttpError } from "./http-error";

describe("toHttpError", () => {
  it("answers a taken name 409, an unknown user or token 404, a bad user 400", () => {
    expect(toHttpError(new AuthStoreError("CONFLICT", "a user named alice exists"))).toMatchObject({
      status: 409,
      body: { error: "a user named alice exists" },
    });
    expect(toHttpError(new AuthStoreError("UNKNOWN_USER", "no user")).status).toBe(404);
    expect(toHttpError(new AuthStoreError("UNKNOWN_TOKEN", "no token")).status).toBe(404);
    expect(toHttpError(new AuthStoreError("INVALID_USER", "too short")).status).toBe(400);
    expect(toHttpError(new UnknownRunError("abc")).status).toBe(404);
  });
});
