import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { backfillRunId } from "./run-ids";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("backfillRunId", () => {
  it("is a version-5 UUID, the same for the same backfill and chunk", () => {
    const backfill = randomUUID();
    expect(backfillRunId(backfill, 0)).toMatch(UUID);
    expect(backfillRunId(backfill, 0)).toBe(backfillRunId(backfill, 0));
    expect(backfillRunId(backfill.toUpperCase(), 7)).toBe(backfillRunId(backfill, 7));
  });

  it("differs between chunks and between backfills", () => {
    const a = randomUUID();
    const b = randomUUID();
    const ids = new Set<string>();
    for (let i = 0; i < 1000; i++) ids.add(backfillRunId(a, i)).add(backfillRunId(b, i));
    expect(ids.size).toBe(2000);
  });

  it("is the RFC 9562 name-based UUID of `chunk:N` in the backfill's namespace", () => {
    // Stored ids must keep matching: the value of Python's uuid.uuid5(namespace, "chunk:0").
    expect(backfillRunId("6ba7b810-9dad-11d1-80b4-00c04fd430c8", 0)).toBe(
      "13fe8ffe-bbbf-5762-b141-a41ea7ca6061",
    );
  });
});
