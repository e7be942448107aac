import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  csrfTokenFor,
  isCsrfTokenOf,
  newSessionSecret,
  newTokenSecret,
  sha256,
  tokenLabelProblem,
} from "./secrets";

describe("secrets", () => {
  it("makes session secrets of 32 random bytes, base64url", () => {
    const a = newSessionSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, "base64url")).toHaveLength(32);
    expect(newSessionSecret()).not.toBe(a);
  });

  it("makes token secrets prefixed lgn_", () => {
    const t = newTokenSecret();
    expect(t).toMatch(/^lgn_[A-Za-z0-9_-]{43}$/);
    expect(newTokenSecret()).not.toBe(t);
  });

  it("hashes with SHA-256", () => {
    expect(sha256("abc").toString("hex")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("derives a session's CSRF token by HMAC-SHA256 of lignee-csrf, and checks it", () => {
    const secret = newSessionSecret();
    const token = csrfTokenFor(secret);
    expect(token).toBe(createHmac("sha256", secret).update("lignee-csrf").digest("base64url"));
    expect(isCsrfTokenOf(secret, token)).toBe(true);
    expect(isCsrfTokenOf(newSessionSecret(), token)).toBe(false);
    expect(isCsrfTokenOf(secret, "")).toBe(false);
    expect(isCsrfTokenOf(secret, `${token}x`)).toBe(false);
  });

  it("checks tokens' labels", () => {
    expect(tokenLabelProblem("ci")).toBeUndefined();
    expect(tokenLabelProblem("")).toMatch(/1 to 100/);
    expect(tokenLabelProblem("   ")).toMatch(/1 to 100/);
    expect(tokenLabelProblem("x".repeat(101))).toMatch(/1 to 100/);
  });
});
