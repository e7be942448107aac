import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { splitLines } from "./ndjson-lines";

/** What the lines of `text` are: split on LF, a CR before it dropped, a last line without LF kept. */
function expected(text: string): { number: number; text: string }[] {
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  return parts.map((p, i) => ({ number: i + 1, text: p.endsWith("\r") ? p.slice(0, -1) : p }));
}

async function lines(chunks: Buffer[], gzip = false): Promise<{ number: number; text: string }[]> {
  async function* source(): AsyncGenerator<Uint8Array> {
    yield* chunks;
  }
  const out: { number: number; text: string }[] = [];
  for await (const l of splitLines(source(), { gzip }))
    out.push({ number: l.number, text: l.bytes.toString("utf8") });
  return out;
}

function chunked(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

const TEXT =
  '{"id":"1","intitule":"Développeur"}\r\n\n{"id":"2"}\n' +
  '{"id":"3","lieu":"Île-de-France ✓"}\r\n{"id":"4"}\r\r\n{"id":"5"}';

describe("splitLines", () => {
  it("gives every line, numbered, whatever the chunks' boundaries", async () => {
    const bytes = Buffer.from(TEXT, "utf8");
    for (let size = 1; size <= bytes.length; size++)
      expect(await lines(chunked(bytes, size)), `chunks of ${size} bytes`).toEqual(expected(TEXT));
  });

  it("ends without an empty last line when the text ends with a line end", async () => {
    const text = "a\r\nb\n";
    for (let size = 1; size <= text.length; size++)
      expect(await lines(chunked(Buffer.from(text), size))).toEqual([
        { number: 1, text: "a" },
        { number: 2, text: "b" },
      ]);
  });

  it("reads a gzipped text the same", async () => {
    const zipped = gzipSync(Buffer.from(TEXT, "utf8"));
    expect(await lines(chunked(zipped, 7), true)).toEqual(expected(TEXT));
  });
});
