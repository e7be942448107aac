import { describe, expect, it } from "vitest";
import { CopyBytes } from "./copy-bytes";
import { copyRow } from "./copy-text";

describe("CopyBytes", () => {
  it("writes what copyRow writes, escapes included", () => {
    const values = ["plain", "back\\slash", "tab\there", "new\nline", "cr\rhere", "é€😀", ""];
    const out = new CopyBytes();
    for (const [i, value] of values.entries()) {
      const bytes = Buffer.from(`xx${value}yy`);
      out.reserve(CopyBytes.bound(bytes.length, 1));
      if (i > 0) out.tab();
      if (value === "") out.nul();
      else out.value(bytes, 2, bytes.length - 2);
    }
    out.newline();
    expect(out.take()!.toString()).toBe(copyRow([...values.slice(0, -1), null]));
  });

  it("writes verbatim bytes as they are", () => {
    const out = new CopyBytes();
    out.reserve(10);
    out.verbatim(Buffer.from("a\\b"), 0, 3);
    expect(out.take()!.toString()).toBe("a\\b");
  });

  it("grows past its first size and hands over buffers later writes leave alone", () => {
    const out = new CopyBytes(4);
    expect(out.take()).toBeUndefined();
    const value = Buffer.from("\\".repeat(10));
    out.reserve(CopyBytes.bound(value.length, 1));
    out.value(value, 0, value.length);
    out.newline();
    const first = out.take()!;
    expect(first.toString()).toBe(`${"\\\\".repeat(10)}\n`);
    out.reserve(CopyBytes.bound(value.length, 1));
    out.value(value, 0, 5);
    out.nul();
    expect(first.toString()).toBe(`${"\\\\".repeat(10)}\n`);
    expect(out.take()!.toString()).toBe(`${"\\\\".repeat(5)}\\N`);
  });
});
