import { describe, expect, it } from "vitest";
import { csvRecords, CsvScanner, CsvSyntaxError, type CsvRecord } from "./csv-records";

async function parse(text: string, chunkSize = text.length || 1): Promise<CsvRecord[]> {
  async function* chunks(): AsyncGenerator<Buffer> {
    const bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(chunks())) records.push(record);
  return records;
}

async function syntaxError(text: string, chunkSize?: number): Promise<CsvSyntaxError> {
  try {
    await parse(text, chunkSize);
  } catch (error) {
    if (error instanceof CsvSyntaxError) return error;
    throw error;
  }
  throw new Error("expected a CsvSyntaxError");
}

const TRICKY = [
  "\uFEFFa,b,c",
  'plain,"quoted, with comma","with ""quotes"""',
  "",
  '"multi',
  'line",,"é€😀"',
  "crlf,x,y\r",
  'last,"",z',
].join("\n");

const EXPECTED: CsvRecord[] = [
  { line: 1, fields: ["a", "b", "c"] },
  { line: 2, fields: ["plain", "quoted, with comma", 'with "quotes"'] },
  { line: 4, fields: ["multi\nline", "", "é€😀"] },
  { line: 6, fields: ["crlf", "x", "y"] },
  { line: 7, fields: ["last", "", "z"] },
];

describe("csvRecords", () => {
  it("reads quoted fields, escaped quotes, line breaks in fields, CRLF, a BOM and UTF-8", async () => {
    expect(await parse(TRICKY)).toEqual(EXPECTED);
  });

  it("gives the same records whatever the chunk boundaries", async () => {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      expect(await parse(TRICKY, size), `chunks of ${size} bytes`).toEqual(EXPECTED);
      expect(await parse(`${TRICKY}\n`, size)).toEqual(EXPECTED);
      expect(await parse(`${TRICKY}\r\n\n`, size)).toEqual(EXPECTED);
    }
  });

  it("keeps empty fields, leading and trailing", async () => {
    expect(await parse(",a,\n,,\n")).toEqual([
      { line: 1, fields: ["", "a", ""] },
      { line: 2, fields: ["", "", ""] },
    ]);
    expect(await parse('"x",\n,"y"')).toEqual([
      { line: 1, fields: ["x", ""] },
      { line: 2, fields: ["", "y"] },
    ]);
  });

  it("names the line of a quote that is never closed", async () => {
    for (const size of [1, 4, 1000]) {
      const error = await syntaxError('a,b\nc,d\ne,"f\ng,h\n', size);
      expect(error.line).toBe(3);
      expect(error.message).toMatch(/never closed/);
    }
  });

  it("names the line of a record whose quote swallows the next ones", async () => {
    // The stray quote on line 2 runs to the opening quote on line 4, then text follows it.
    const error = await syntaxError('a,b\nc,"d\ne,f\ng,"h"\n');
    expect(error.line).toBe(2);
    expect(error.message).toMatch(/follows a closing quote/);
  });

  it("refuses a quote inside an unquoted field and text after a closing quote", async () => {
    expect((await syntaxError('a,b\nc,d"e\n')).line).toBe(2);
    expect((await syntaxError('a,b\n"c"d,e\n')).line).toBe(2);
  });

  it("stops a runaway quoted field at the record size limit", async () => {
    async function* chunks(): AsyncGenerator<string> {
      yield 'a,"b\n';
      for (let i = 0; i < 100; i++) yield "x".repeat(100) + "\n";
    }
    let error: unknown;
    try {
      for await (const _ of csvRecords(chunks(), { maxRecordChars: 1000 })) void _;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(1);
  });

  it("counts characters, not bytes, against the record size limit", async () => {
    // 8 characters, 16 bytes: within a 10-character limit.
    async function* chunks(): AsyncGenerator<string> {
      yield 'a,"';
      yield "é".repeat(8);
      yield '"\n';
    }
    const records: CsvRecord[] = [];
    for await (const record of csvRecords(chunks(), { maxRecordChars: 12 })) records.push(record);
    expect(records).toEqual([{ line: 1, fields: ["a", "é".repeat(8)] }]);
  });

  it("yields the records before an error in the same chunk", async () => {
    const records: CsvRecord[] = [];
    let error: unknown;
    try {
      for await (const record of csvRecords(['a,b\nc,d\ne,"f"g\n'])) records.push(record);
    } catch (e) {
      error = e;
    }
    expect(records).toEqual([
      { line: 1, fields: ["a", "b"] },
      { line: 2, fields: ["c", "d"] },
    ]);
    expect(error).toBeInstanceOf(CsvSyntaxError);
    expect((error as CsvSyntaxError).line).toBe(3);
  });
});

describe("CsvScanner", () => {
  /** What the scanner reports for `text` cut into `chunkSize`-byte chunks. */
  function scan(text: string, chunkSize: number): (string | string[])[] {
    const seen: (string | string[])[] = [];
    const scanner = new CsvScanner();
    const visitor = {
      plain: (bytes: Buffer, start: number, end: number, line: number) =>
        seen.push(`${line}:${bytes.toString("utf8", start, end)}`),
      quoted: (fields: string[], line: number) => seen.push([String(line), ...fields]),
    };
    const bytes = Buffer.from(text, "utf8");
    for (let i = 0; i < bytes.length; i += chunkSize) {
      scanner.write(bytes.subarray(i, i + chunkSize), visitor);
    }
    scanner.end(visitor);
    return seen;
  }

  it("hands lines without quotes over as bytes, undecoded, and parses the others", () => {
    const expected = [
      "1:a,b,c",
      ["2", "plain", "quoted, with comma", 'with "quotes"'],
      ["4", "multi\nline", "", "é€😀"],
      "6:crlf,x,y",
      ["7", "last", "", "z"],
    ];
    for (const size of [1, 2, 3, 1000]) {
      expect(scan(TRICKY, size), `chunks of ${size} bytes`).toEqual(expected);
    }
  });

  it("keeps a carriage return inside a line, and skips a line of one", () => {
    expect(scan("a\rb,c\r\n\r\nd\n", 1)).toEqual(["1:a\rb,c", "3:d"]);
  });

  it("keeps a chunk's bytes of its own: the caller may reuse the chunk", () => {
    const seen: string[] = [];
    const scanner = new CsvScanner();
    const visitor = {
      plain: (bytes: Buffer, start: number, end: number) =>
        seen.push(bytes.toString("utf8", start, end)),
      quoted: () => undefined,
    };
    const chunk = Buffer.from("ab,c\nde");
    scanner.write(chunk, visitor);
    chunk.fill(0x78); // x
    scanner.write(Buffer.from(",f\n"), visitor);
    expect(seen).toEqual(["ab,c", "de,f"]);
  });
});
