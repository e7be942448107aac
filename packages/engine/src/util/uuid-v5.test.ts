import { describe, expect, it } from "vitest";
import { uuidBytes, uuidV5 } from "./uuid-v5";

describe("uuidV5", () => {
  it("is the RFC 9562 name-based UUID (the DNS example of Python's uuid.uuid5)", () => {
    const dns = uuidBytes("6ba7b810-9dad-11d1-80b4-00c04fd430c8")!;
    expect(uuidV5(dns, "python.org")).toBe("886313e1-3b8a-5372-9b90-0c9aee199e5d");
  });
});

describe("uuidBytes", () => {
  it("reads a UUID in any case, with or without dashes, and refuses other text", () => {
    const bytes = uuidBytes("6BA7B810-9DAD-11D1-80B4-00C04FD430C8");
    expect(bytes?.toString("hex")).toBe("6ba7b8109dad11d180b400c04fd430c8");
    expect(uuidBytes("6ba7b8109dad11d180b400c04fd430c8")).toEqual(bytes);
    expect(uuidBytes("not a uuid")).toBeUndefined();
  });
});
