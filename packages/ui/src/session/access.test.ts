import { describe, expect, it } from "vitest";
import type { Session } from "../api/types";
import { canAdminister, needsSignIn, nextPath, signInPath } from "./access";

describe("sign-in paths", () => {
  it("comes back to where the user was, query included", () => {
    const path = signInPath("/assets/raw/offres?tab=checks");
    expect(path).toBe("/sign-in?next=%2Fassets%2Fraw%2Foffres%3Ftab%3Dchecks");
    expect(nextPath(path.slice(path.indexOf("?")))).toBe("/assets/raw/offres?tab=checks");
  });

  it("needs no next for the lineage or the sign-in page itself", () => {
    expect(signInPath("/")).toBe("/sign-in");
    expect(signInPath("/sign-in?next=%2Fruns")).toBe("/sign-in");
    expect(nextPath("")).toBe("/");
  });

  it("never leaves the app", () => {
    for (const next of ["//evil.example/x", "https://evil.example", "/\\evil.example", "runs"]) {
      expect(nextPath(`?next=${encodeURIComponent(next)}`)).toBe("/");
    }
    expect(nextPath(`?next=${encodeURIComponent("/sign-in?next=/runs")}`)).toBe("/");
  });
});

describe("session facts", () => {
  const users = (user: Session["user"]): Session => ({
    mode: "users",
    user,
    via: user ? "session" : null,
  });

  it("asks for sign-in in users mode only, when nobody is recognised", () => {
    expect(needsSignIn(users(null))).toBe(true);
    expect(needsSignIn(users({ name: "alice", role: "viewer" }))).toBe(false);
    expect(needsSignIn({ mode: "local", user: null, via: "local" })).toBe(false);
    expect(needsSignIn({ mode: "token", user: null, via: null })).toBe(false);
    expect(needsSignIn(undefined)).toBe(false);
  });

  it("lets admins, the single user and the service token administer", () => {
    expect(canAdminister(users({ name: "root", role: "admin" }))).toBe(true);
    expect(canAdminister(users({ name: "alice", role: "operator" }))).toBe(false);
    expect(canAdminister({ mode: "local", user: null, via: "local" })).toBe(true);
    expect(canAdminister({ mode: "token", user: null, via: "service" })).toBe(true);
    expect(canAdminister({ mode: "token", user: null, via: null })).toBe(false);
  });
});
