import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { BinaryCopyRows, copyBinaryInto } from "./copy-binary";
import { Warehouse } from "./warehouse";

let warehouse: Warehouse;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  await warehouse.pool.query("CREATE TABLE copied (n text, jour date, t text, u text)");
});

afterAll(async () => {
  await warehouse.close();
});

const read = async () =>
  (
    await warehouse.pool.query<{ n: string; jour: string; t: string | null; u: string | null }>(
      "SELECT n, jour::text AS jour, t, u FROM copied ORDER BY n::int",
    )
  ).rows;

describe("binary COPY rows", () => {
  it("carry dates, NULLs, multi-byte text and bytes as they are, across growing buffers", async () => {
    const rows = new BinaryCopyRows(16);
    const chunks: Buffer[] = [];
    const texts = ["é\t\\N\n", "日本語 🚀", "x".repeat(5000), ""];
    const days = ["2024-08-01", "1999-12-31", "2000-01-01", "2024-02-29"];
    for (let i = 0; i < texts.length; i++) {
      const bytes = Buffer.from(`{"k":"${texts[i]!.slice(0, 10)}"}`, "utf8");
      rows.startRow(4).text(String(i)).date(days[i]!).text(texts[i]!);
      if (i === 1) rows.nullField();
      else rows.utf8(bytes);
      if (i === 1) chunks.push(rows.take());
    }
    chunks.push(rows.take());
    await warehouse.transaction((client) =>
      copyBinaryInto(client, "copied", ["n", "jour", "t", "u"], chunks),
    );
    const got = await read();
    expect(got.map((r) => r.jour)).toEqual(days);
    expect(got.map((r) => r.t)).toEqual(texts);
    expect(got[1]!.u).toBeNull();
    expect(got[2]!.u).toBe(`{"k":"${"x".repeat(10)}"}`);
  });

  it("write a string of bytes (latin1) as those bytes, short or long", async () => {
    await warehouse.pool.query("TRUNCATE copied");
    const texts = [
      "",
      "a",
      "Employé qualifié",
      "日本語 🚀",
      "é".repeat(24),
      "é".repeat(25),
      "x".repeat(47) + "é",
      "ü".repeat(3000),
    ];
    const rows = new BinaryCopyRows(16);
    texts.forEach((text, i) => {
      // What a line read as Latin-1 gives for each field: one character per UTF-8 byte.
      const bytes = Buffer.from(text, "utf8").toString("latin1");
      rows
        .startRow(4)
        .text(String(i))
        .date("2024-08-01")
        .latin1(bytes)
        .latin1(i === 1 ? null : bytes);
    });
    await warehouse.transaction((client) =>
      copyBinaryInto(client, "copied", ["n", "jour", "t", "u"], [rows.take()]),
    );
    const got = await read();
    expect(got.map((r) => r.t)).toEqual(texts);
    expect(got.map((r) => r.u)).toEqual(texts.map((t, i) => (i === 1 ? null : t)));
  });

  it("hand over chunks that do not keep a buffer grown for a long row", () => {
    const rows = new BinaryCopyRows(64);
    rows.startRow(1).text("x".repeat(10_000));
    expect(rows.bytes).toBe(10_006);
    const long = rows.take();
    expect(long.length).toBe(2 + 4 + 10_000);
    // A chunk taken from the grown buffer is its own copy, not a view of 10 KB or more.
    expect(long.buffer.byteLength).toBeLessThan(20_000);
    rows.startRow(1).text("short");
    const short = rows.take();
    expect(short.toString("utf8", 6)).toBe("short");
    // A fresh buffer of the initial size (from Node's 8 KB pool), not the grown one.
    expect(short.buffer.byteLength).toBeLessThanOrEqual(8192);
  });

  it("refuses a day that is not yyyy-mm-dd", () => {
    expect(() => new BinaryCopyRows().date("2024-8-1")).toThrow(/not a yyyy-mm-dd date/);
    expect(() => new BinaryCopyRows().date("2024-13-01")).toThrow(/not a yyyy-mm-dd date/);
    expect(() => new BinaryCopyRows().date("2023-02-29")).toThrow(/not a yyyy-mm-dd date/);
    expect(() => new BinaryCopyRows().date("2024-02-29 ")).toThrow(/not a yyyy-mm-dd date/);
  });
});
