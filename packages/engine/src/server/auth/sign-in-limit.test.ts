import { describe, expect, it } from "vitest";
import { signInKeys, signInRefusal, SIGN_IN_WINDOW_MS } from "./sign-in-limit";

const now = new Date("2026-03-01T10:00:00.000Z");
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const keys = signInKeys("Alice", "192.0.2.1");

describe("signInRefusal", () => {
  it("counts a user under its lower-case name and an address as it is", () => {
    expect(keys).toEqual({ user: "user:alice", address: "address:192.0.2.1" });
  });

  it("lets a sign-in through below 5 failures of the user and 20 of the address", () => {
    const failures = new Map([
      [keys.user, { count: 4, oldest: ago(60_000) }],
      [keys.address, { count: 19, oldest: ago(60_000) }],
    ]);
    expect(signInRefusal(failures, keys, now)).toBeUndefined();
    expect(signInRefusal(new Map(), keys, now)).toBeUndefined();
  });

  it("refuses from 5 failures of the user until the oldest leaves the window", () => {
    const failures = new Map([[keys.user, { count: 5, oldest: ago(60_000) }]]);
    expect(signInRefusal(failures, keys, now)).toEqual({
      retryAfterSeconds: (SIGN_IN_WINDOW_MS - 60_000) / 1000,
    });
  });

  it("refuses from 20 failures of the address, and waits for the later of two limits", () => {
    const failures = new Map([
      [keys.user, { count: 5, oldest: ago(SIGN_IN_WINDOW_MS - 10_000) }],
      [keys.address, { count: 20, oldest: ago(SIGN_IN_WINDOW_MS - 30_500) }],
    ]);
    expect(signInRefusal(failures, keys, now)).toEqual({ retryAfterSeconds: 31 });
  });

  it("asks to wait at least a second", () => {
    const failures = new Map([[keys.user, { count: 9, oldest: ago(SIGN_IN_WINDOW_MS) }]]);
    expect(signInRefusal(failures, keys, now)).toEqual({ retryAfterSeconds: 1 });
  });
});
