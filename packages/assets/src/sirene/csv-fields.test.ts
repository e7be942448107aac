import { describe, expect, it } from "vitest";
import { FieldPicker } from "./csv-fields";
import { csvRecords, CsvScanner } from "./csv-records";

/** The picked fields of the last record read, as text. */
const picked = (picker: FieldPicker, n: number): string[] =>
  Array.from({ length: n }, (_, k) => picker.text(k));

describe("FieldPicker", () => {
  it("picks fields by position, in the order asked, and counts them all", () => {
    const picker = new FieldPicker([3, 0, 1]);
    const line = Buffer.from("xx,a,bé,c,,d");
    picker.plain(line, 3, line.length); // from "a"
    expect(picker.count).toBe(5);
    expect(picked(picker, 3)).toEqual(["", "a", "bé"]);
  });

  it("keeps empty fields, leading and trailing", () => {
    const picker = new FieldPicker([0, 2]);
    const line = Buffer.from(",x,");
    picker.plain(line, 0, line.length);
    expect(picker.count).toBe(3);
    expect(picked(picker, 2)).toEqual(["", ""]);
    expect([picker.starts[1], picker.ends[1]]).toEqual([3, 3]);
  });

  it("counts a record shorter or longer than the positions reach", () => {
    const picker = new FieldPicker([0, 4]);
    const short = Buffer.from("a,b");
    picker.plain(short, 0, short.length);
    expect(picker.count).toBe(2);
    expect(picker.text(0)).toBe("a");
    const long = Buffer.from("a,b,c,d,e,f,g");
    picker.plain(long, 0, long.length);
    expect(picker.count).toBe(7);
    expect(picked(picker, 2)).toEqual(["a", "e"]);
    picker.plain(Buffer.from(""), 0, 0);
    expect(picker.count).toBe(1);
  });

  it("picks the same from a parsed record", () => {
    const picker = new FieldPicker([2, 0]);
    picker.fields(["a,b", 'say "hi"', "multi\nline é"]);
    expect(picker.count).toBe(3);
    expect(picked(picker, 2)).toEqual(["multi\nline é", "a,b"]);
    picker.fields(["only"]);
    expect(picker.count).toBe(1);
    expect(picker.text(1)).toBe("only");
  });

  it("with a scanner, gives the fields csvRecords gives, whatever the chunks", async () => {
    const text = [
      "\uFEFFh0,h1,h2,h3",
      'a,"b, ""c""",,d',
      "",
      'e,"multi\r\nline",f,',
      "g,h,i,j\r",
      ",,,",
      "é,€,😀,x",
    ].join("\n");
    const positions = [3, 1, 0];
    const expected: string[][] = [];
    for await (const { fields } of csvRecords([text])) {
      expected.push([String(fields.length), ...positions.map((p) => fields[p]!)]);
    }
    expect(expected[2]).toEqual(["4", "", "multi\r\nline", "e"]);
    for (const size of [1, 2, 5, 1000]) {
      const picker = new FieldPicker(positions);
      const seen: string[][] = [];
      const record = () => seen.push([String(picker.count), ...picked(picker, 3)]);
      const visitor = {
        plain: (bytes: Buffer, start: number, end: number) => {
          picker.plain(bytes, start, end);
          record();
        },
        quoted: (fields: string[]) => {
          picker.fields(fields);
          record();
        },
      };
      const scanner = new CsvScanner();
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += size) {
        scanner.write(bytes.subarray(i, i + size), visitor);
      }
      scanner.end(visitor);
      expect(seen, `chunks of ${size} bytes`).toEqual(expected);
    }
  });
});
