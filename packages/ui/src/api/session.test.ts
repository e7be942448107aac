import { beforeAll, describe, expect, it } from "vitest";

/** The browser's session storage, as the token module uses it (this test runs in Node.js). */
beforeAll(() => {
  const items = new Map<string, string>();
  Object.assign(globalThis, {
    sessionStorage: {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    },
  });
});

describe("a call refused as unauthenticated, with the service token only", () => {
  it("asks for the token, but not for an answer to a call sent before the current token", async () => {
    const { unauthorized } = await import("./session");
    const { clearTokenNeeded, isTokenNeeded, setApiToken } = await import("./token");
    // No token yet: asked for.
    unauthorized(undefined);
    expect(isTokenNeeded()).toBe(true);
    // The token entered; a call sent before it is refused afterwards: still the new token's turn.
    clearTokenNeeded();
    setApiToken("entered");
    unauthorized(undefined);
    expect(isTokenNeeded()).toBe(false);
    unauthorized("an older one");
    expect(isTokenNeeded()).toBe(false);
    // The current token refused: asked for again.
    unauthorized("entered");
    expect(isTokenNeeded()).toBe(true);
  });
});
