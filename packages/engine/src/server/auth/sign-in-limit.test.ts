import { describe, expect, it } from "vitest";
import { signInKeys, signInRefusal, SIGN_IN_WINDOW_MS } from "./sign-in-limit";

const now = new Date("2026-03-01T10:00:00.000Z");
const ago = (ms: number): Date => new Date(now.getTime() - ms);
const keys = signInKeys("Alice", "192.0.2.1");
/** `n` failures, the oldest `oldestMs` ago, one a minute after it. */
const failures = (n: number, oldestMs: number): Date[] =>
  Array.from({ length: n }, (_, i) => ago(oldestMs - i * 60_000));

describe("signInRefusal", () => {
  it("counts a user under its lower-case name and an address as it is", () => {
    expect(keys).toEqual({ user: "user:alice", address: "address:192.0.2.1" });
  });

  it("lets a sign-in through below 5 failures of the user and 20 of the address", () => {
    const earlier = new Map([
      [keys.user, failures(4, 600_000)],
      [keys.address, failures(19, 1_200_000)],
    ]);
    expect(signInRefusal(earlier, keys, now)).toBeUndefined();
    expect(signInRefusal(new Map(), keys, now)).toBeUndefined();
  });

  it("refuses from 5 failures of the user until the oldest leaves the window", () => {
    const earlier = new Map([[keys.user, failures(5, 300_000)]]);
    expect(signInRefusal(earlier, keys, now)).toEqual({
      retryAfterSeconds: (SIGN_IN_WINDOW_MS - 300_000) / 1000,
    });
  });

  it("with more failures than the limit, waits until enough have left for one more try", () => {
    // 7 failures, one a minute from 10 minutes ago: the 3rd oldest (8 minutes ago) must leave.
    const earlier = new Map([[keys.user, failures(7, 600_000)]]);
    expect(signInRefusal(earlier, keys, now)).toEqual({
      retryAfterSeconds: (SIGN_IN_WINDOW_MS - 480_000) / 1000,
    });
  });

  it("refuses from 20 failures of the address, and waits for the later of two limits", () => {
    const earlier = new Map([
      [keys.user, [ago(SIGN_IN_WINDOW_MS - 10_000), ...failures(4, 5_000)]],
      [keys.address, [ago(SIGN_IN_WINDOW_MS - 30_500), ...failures(19, 5_000)]],
    ]);
    expect(signInRefusal(earlier, keys, now)).toEqual({ retryAfterSeconds: 31 });
  });

  it("asks to wait at least a second", () => {
    const earlier = new Map([[keys.user, Array.from({ length: 9 }, () => ago(SIGN_IN_WINDOW_MS))]]);
    expect(signInRefusal(earlier, keys, now)).toEqual({ retryAfterSeconds: 1 });
  });
});
