import { describe, expect, it } from "vitest";
import {
  DefinitionError,
  InvalidPartitionError,
  LeaseLostError,
  SelectionError,
  UserCodeError,
} from "../errors";
import { isTransient, PermanentError, RetryableError } from "./error-class";

const coded = (code: string, message = code): Error => Object.assign(new Error(message), { code });
const withStatus = (status: number): Error =>
  Object.assign(new Error(`HTTP ${status}`), { status });

describe("isTransient", () => {
  const cases: [string, unknown, boolean][] = [
    // Network
    ["ECONNRESET", coded("ECONNRESET"), true],
    ["ECONNREFUSED", coded("ECONNREFUSED"), true],
    ["ETIMEDOUT", coded("ETIMEDOUT"), true],
    ["EPIPE", coded("EPIPE"), true],
    ["EAI_AGAIN", coded("EAI_AGAIN"), true],
    ["ENOTFOUND (a service restarting is briefly unknown to DNS)", coded("ENOTFOUND"), true],
    ["undici socket error", coded("UND_ERR_SOCKET"), true],
    [
      "AggregateError of refused connections (Node's happy eyeballs)",
      new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")], "connect failed"),
      true,
    ],
    // PostgreSQL
    ["08006 connection failure", coded("08006"), true],
    ["08001 cannot establish a connection", coded("08001"), true],
    ["40001 serialization failure", coded("40001"), true],
    ["40P01 deadlock", coded("40P01"), true],
    ["55P03 lock not available", coded("55P03"), true],
    ["57014 statement timeout", coded("57014"), true],
    ["57P01 admin shutdown", coded("57P01"), true],
    ["57P02 crash shutdown", coded("57P02"), true],
    ["57P03 cannot connect now", coded("57P03"), true],
    ["53300 too many connections", coded("53300"), true],
    ["53100 disk full", coded("53100"), true],
    ["22P02 invalid text representation", coded("22P02"), false],
    ["23505 unique violation", coded("23505"), false],
    ["42P01 undefined table", coded("42P01"), false],
    ["pg: connection terminated", new Error("Connection terminated unexpectedly"), true],
    ["pg-pool: connect timeout", new Error("timeout exceeded when trying to connect"), true],
    // HTTP
    ["HTTP 500", withStatus(500), true],
    ["HTTP 503", withStatus(503), true],
    ["HTTP 429", withStatus(429), true],
    ["HTTP 408", withStatus(408), true],
    ["HTTP 400", withStatus(400), false],
    ["HTTP 404", withStatus(404), false],
    ["statusCode 502", Object.assign(new Error("bad gateway"), { statusCode: 502 }), true],
    // Timeouts
    ["AbortSignal.timeout", new DOMException("The operation timed out", "TimeoutError"), true],
    // Files
    ["ENOENT", coded("ENOENT", "ENOENT: no such file or directory, open 'x'"), false],
    // Engine errors: bad input is the same on every attempt.
    ["invalid definitions", new DefinitionError(["a cycle"]), false],
    ["invalid selection", new SelectionError("nope"), false],
    ["invalid partition", new InvalidPartitionError("2024-02-30"), false],
    ["lost lease", new LeaseLostError("r1"), false],
    // Marked by user code
    ["RetryableError", new RetryableError("try later"), true],
    ["PermanentError", new PermanentError("bad row"), false],
    ["retryable: true", Object.assign(new Error("x"), { retryable: true }), true],
    ["retryable: false", Object.assign(new Error("x"), { retryable: false }), false],
    [
      "PermanentError over a transient cause: the explicit mark wins",
      new PermanentError("gave up", { cause: coded("ECONNRESET") }),
      false,
    ],
    [
      "RetryableError over a permanent cause",
      new RetryableError("later", { cause: coded("ENOENT") }),
      true,
    ],
    // Cause chains
    [
      "a plain error over ECONNRESET",
      new Error("fetch failed", { cause: coded("ECONNRESET") }),
      true,
    ],
    [
      "two levels down",
      new Error("load failed", { cause: new Error("query failed", { cause: coded("57P01") }) }),
      true,
    ],
    ["a plain error over ENOENT", new Error("cannot read", { cause: coded("ENOENT") }), false],
    ["user code wrapping a transient error", new UserCodeError("a", coded("ECONNRESET")), true],
    ["user code wrapping a plain error", new UserCodeError("a", new Error("boom")), false],
    // Unclassified: permanent
    ["plain Error", new Error("boom"), false],
    ["a string", "boom", false],
    ["undefined", undefined, false],
    ["a code nothing knows", coded("ERR_INVALID_ARG_TYPE"), false],
    ["a TypeError", new TypeError("x is not a function"), false],
  ];

  it.each(cases)("%s → transient: %s", (_name, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });

  it("stops on a cyclic cause chain", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isTransient(a)).toBe(false);
  });
});
