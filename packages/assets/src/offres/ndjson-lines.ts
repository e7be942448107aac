import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

export interface NumberedLine {
  /** 1-based line number in the file. */
  readonly number: number;
  readonly text: string;
}

/** A line as the bytes it was read as (UTF-8, its line end removed), with its number. */
export interface NumberedBytes {
  /** 1-based line number in the file. */
  readonly number: number;
  readonly bytes: Buffer;
}

/**
 * The lines of `chunks` (a file's or an object's bytes, as a store streams them) with their
 * line numbers, as bytes, without holding them all in memory. Splits on LF (a CR before it is
 * dropped); a final line without LF is yielded too. Gunzipped on the way with `gzip` (a
 * compressed raw day).
 */
export async function* splitLines(
  chunks: AsyncIterable<Uint8Array>,
  options: { gzip: boolean },
): AsyncGenerator<NumberedBytes> {
  let source: AsyncIterable<Buffer> = chunks as AsyncIterable<Buffer>;
  if (options.gzip) {
    const raw = chunks instanceof Readable ? chunks : Readable.from(chunks);
    const gunzip = createGunzip();
    raw.on("error", (error) => gunzip.destroy(error));
    gunzip.on("close", () => raw.destroy());
    source = raw.pipe(gunzip);
  }
  let carry: Buffer | undefined;
  let number = 0;
  for await (const piece of source) {
    const buf = Buffer.isBuffer(piece)
      ? piece
      : Buffer.from(
          (piece as Uint8Array).buffer,
          (piece as Uint8Array).byteOffset,
          (piece as Uint8Array).byteLength,
        );
    let start = 0;
    if (carry) {
      // Only the line that spans the two chunks is copied, not the whole chunk.
      const nl = buf.indexOf(10);
      if (nl === -1) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const joined = Buffer.concat([carry, buf.subarray(0, nl)]);
      carry = undefined;
      number++;
      yield { number, bytes: lineOf(joined, 0, joined.length) };
      start = nl + 1;
    }
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      number++;
      yield { number, bytes: lineOf(buf, start, nl) };
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : undefined;
  }
  if (carry && carry.length > 0) {
    number++;
    yield { number, bytes: lineOf(carry, 0, carry.length) };
  }
}

/** `bytes[start, end)`, a CR at its end dropped (a line of a file written with CRLF). */
function lineOf(bytes: Buffer, start: number, end: number): Buffer {
  return bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
}
