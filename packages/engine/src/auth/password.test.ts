import { describe, expect, it } from "vitest";
import {
  dummyVerify,
  hashPassword,
  passwordProblem,
  userNameProblem,
  verifyPassword,
} from "./password";

describe("hashPassword / verifyPassword", () => {
  it("hashes with scrypt N=2^15 r=8 p=1, a 16-byte salt and a 32-byte key", async () => {
    const hash = await hashPassword("correct horse battery");
    const [scheme, n, r, p, salt, key] = hash.split("$");
    expect([scheme, n, r, p]).toEqual(["scrypt", "32768", "8", "1"]);
    expect(Buffer.from(salt!, "base64")).toHaveLength(16);
    expect(Buffer.from(key!, "base64")).toHaveLength(32);
  });

  it("accepts the password and refuses any other", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterY", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts each hash", async () => {
    const [a, b] = await Promise.all([
      hashPassword("same password!"),
      hashPassword("same password!"),
    ]);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password!", b)).toBe(true);
  });

  it("matches nothing against a malformed or tampered hash", async () => {
    const hash = await hashPassword("correct horse battery");
    for (const bad of [
      "",
      "plain",
      hash.replace("scrypt$", "bcrypt$"),
      hash.replace("$32768$", "$1000$"),
      hash.replace("$32768$", `$${2 ** 24}$`),
      hash.split("$").slice(0, 5).join("$"),
      `${hash.split("$").slice(0, 5).join("$")}$`,
    ]) {
      expect(await verifyPassword("correct horse battery", bad)).toBe(false);
    }
  });

  it("dummyVerify always refuses", async () => {
    expect(await dummyVerify("correct horse battery")).toBe(false);
  });
});

describe("passwordProblem", () => {
  it("needs at least 12 characters, counted as characters, and at most 1024", () => {
    expect(passwordProblem("elevenchars")).toMatch(/at least 12 characters/);
    expect(passwordProblem("twelve chars")).toBeUndefined();
    expect(passwordProblem("ééééééééééé")).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(1025))).toMatch(/at most 1024/);
  });
});

describe("userNameProblem", () => {
  it("allows letters, digits, . _ - @ and 1 to 64 characters", () => {
    for (const good of ["alice", "Alice.Martin", "a_b-c@example.org", "x".repeat(64), "7"]) {
      expect(userNameProblem(good)).toBeUndefined();
    }
    for (const bad of ["", "x".repeat(65), "alice smith", "élodie", "a/b", "a:b"]) {
      expect(userNameProblem(bad)).toMatch(/1 to 64 characters/);
    }
  });
});
