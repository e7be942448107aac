import { describe, expect, it } from "vitest";
import { hashPassword, passwordProblem, userNameProblem, verifyPassword } from "./password";

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
      // 128 · N · r · p over 64 MiB: slow enough to hog the thread pool.
      hash.replace("$32768$8$1$", "$32768$32$16$"),
      hash.replace("$32768$8$1$", "$32768$8$3$"),
      hash.split("$").slice(0, 5).join("$"),
      `${hash.split("$").slice(0, 5).join("$")}$`,
    ]) {
      expect(await verifyPassword("correct horse battery", bad)).toBe(false);
    }
  });
});

describe("passwordProblem", () => {
  it("needs at least 12 characters, counted as characters, and at most 1024", () => {
    expect(passwordProblem("elevenchars")).toMatch(/at least 12 characters/);
    expect(passwordProblem("twelve chars")).toBeUndefined();
    expect(passwordProblem("ééééééééééé")).toMatch(/at least 12/);
    expect(passwordProblem("x".repeat(1025))).toMatch(/at most 1024/);
  });

  it("refuses a password of only spaces, whatever their kind", () => {
    for (const blank of [" ".repeat(12), "\u00a0".repeat(12), " \u3000".repeat(8)]) {
      expect(passwordProblem(blank)).toBe("a password cannot be only spaces");
    }
    expect(passwordProblem(`${" ".repeat(11)}x`)).toBeUndefined();
  });

  it("refuses line breaks and control characters, which the sign-in form cannot take", () => {
    expect(passwordProblem("correct horse\nbattery")).toMatch(/line breaks or control/);
    expect(passwordProblem("correct horse battery\u0000")).toMatch(/control characters/);
    expect(passwordProblem("correct horse battery ☕")).toBeUndefined();
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
