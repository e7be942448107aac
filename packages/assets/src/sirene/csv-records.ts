import { StringDecoder } from "node:string_decoder";

/** One CSV record and the line of the file it starts on (1 = the first line). */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/** A syntax error in CSV text; `line` is where the faulty record starts. */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = "CsvSyntaxError";
  }
}

/** What `CsvScanner` hands each record to, in file order. */
export interface CsvVisitor {
  /**
   * A record without quotes (nearly every SIRENE line): its fields are `bytes[start, end)`
   * split at commas (44), line end excluded. The bytes are only valid during the call.
   */
  plain(bytes: Buffer, start: number, end: number, line: number): void;
  /** A record with at least one quote, parsed into its fields. */
  quoted(fields: string[], line: number): void;
}

/** Longest record accepted: far above any real one, low enough to stop a runaway quote early. */
const DEFAULT_MAX_RECORD_CHARS = 1 << 20;
const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const EMPTY = Buffer.alloc(0);

/**
 * Splits comma-separated UTF-8 bytes (RFC 4180: fields quoted with `"` when they hold a comma, a
 * quote or a line break, `""` for a quote inside them; LF or CRLF line ends; a leading BOM is
 * dropped) into records, streaming and synchronously per chunk: only the current chunk and one
 * incomplete record are held. Blank lines are skipped. Throws `CsvSyntaxError` with the record's
 * first line for an unclosed quote, text after a closing quote, a quote inside an unquoted
 * field, or a record longer than `maxRecordChars` (which is what an unbalanced quote turns the
 * rest of a file into).
 *
 * Works on bytes, not text: a comma, a quote or a line end is one byte in UTF-8 and never part
 * of a longer character, so a line without quotes is handed over as a byte range, undecoded; a
 * reader that wants a few of its fields copies those and never builds the others.
 *
 * @example
 * const scanner = new CsvScanner();
 * for await (const chunk of stream) scanner.write(chunk, visitor);
 * scanner.end(visitor);
 */
export class CsvScanner {
  private readonly maxRecordChars: number;
  /** The start of a record the previous chunk ended in the middle of. */
  private pending: Buffer = EMPTY;
  private started = false;
  /** Line of the next record. */
  private line = 1;

  constructor(options: { maxRecordChars?: number } = {}) {
    this.maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  }

  /** Reports every record `chunk` completes; keeps the incomplete end for the next call. */
  write(chunk: Buffer, visitor: CsvVisitor): void {
    this.feed(chunk, false, visitor);
    if (
      this.pending.length > this.maxRecordChars &&
      new StringDecoder("utf8").write(this.pending).length > this.maxRecordChars
    ) {
      throw new CsvSyntaxError(
        `a record longer than ${this.maxRecordChars} characters starts here: unbalanced quote?`,
        this.line,
      );
    }
  }

  /** Reports the last record, which may lack its line end. */
  end(visitor: CsvVisitor): void {
    this.feed(EMPTY, true, visitor);
  }

  private feed(chunk: Buffer, final: boolean, visitor: CsvVisitor): void {
    let bytes =
      this.pending.length === 0
        ? chunk
        : chunk.length === 0
          ? this.pending
          : Buffer.concat([this.pending, chunk]);
    this.pending = EMPTY;
    if (!this.started) {
      // A BOM is three bytes, which may come in more than one chunk.
      if (bytes.length < 3 && !final) {
        this.pending = Buffer.from(bytes);
        return;
      }
      this.started = true;
      if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    }
    const n = bytes.length;
    let pos = 0;
    // Next quote at or after `pos`, searched again only once passed: searching from every line
    // would rescan the rest of the chunk each time.
    let quote = bytes.indexOf(QUOTE);
    while (pos < n) {
      const newline = bytes.indexOf(LF, pos);
      if (newline === -1 && !final) break;
      const end = newline === -1 ? n : newline;
      if (quote !== -1 && quote < pos) quote = bytes.indexOf(QUOTE, pos);
      if (quote === -1 || quote > end) {
        const lineEnd = end > pos && bytes[end - 1] === CR ? end - 1 : end;
        const line = this.line++;
        if (lineEnd > pos) visitor.plain(bytes, pos, lineEnd, line);
        pos = end + 1;
        continue;
      }
      const parsed = parseRecord(bytes, pos, final, this.line);
      if (parsed === undefined) break;
      const line = this.line;
      this.line += 1 + parsed.newlines;
      pos = parsed.next;
      visitor.quoted(parsed.fields, line);
    }
    // A copy: `bytes` may be the caller's chunk, which a stream may reuse once handed back.
    if (pos < n) this.pending = Buffer.from(bytes.subarray(pos));
  }
}

/**
 * Parses comma-separated UTF-8 text into records, streaming (see `CsvScanner` for the format
 * and the errors). A record is yielded once its chunk is read; on an error, the records before
 * it are yielded first.
 *
 * @example
 * for await (const { line, fields } of csvRecords(createReadStream("stock.csv"))) …
 */
export async function* csvRecords(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: { maxRecordChars?: number } = {},
): AsyncGenerator<CsvRecord> {
  const scanner = new CsvScanner(options);
  const records: CsvRecord[] = [];
  const visitor: CsvVisitor = {
    plain: (bytes, start, end, line) =>
      records.push({ line, fields: bytes.toString("utf8", start, end).split(",") }),
    quoted: (fields, line) => records.push({ line, fields }),
  };
  const take = (): CsvRecord[] => records.splice(0, records.length);
  for await (const chunk of chunks) {
    try {
      scanner.write(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk, visitor);
    } catch (error) {
      yield* take();
      throw error;
    }
    yield* take();
  }
  try {
    scanner.end(visitor);
  } catch (error) {
    yield* take();
    throw error;
  }
  yield* take();
}

/** What `parseRecord` returns for a record it could read to its end. */
interface Parsed {
  readonly fields: string[];
  /** Index just after the record's line end. */
  readonly next: number;
  /** Line breaks inside quoted fields. */
  readonly newlines: number;
}

/**
 * Reads the record at `start`, which holds at least one quote. Returns undefined when the bytes
 * end before the record does and more may come.
 */
function parseRecord(
  bytes: Buffer,
  start: number,
  final: boolean,
  line: number,
): Parsed | undefined {
  const n = bytes.length;
  const fields: string[] = [];
  let newlines = 0;
  let i = start;
  for (;;) {
    if (bytes[i] === QUOTE) {
      let value = "";
      let from = i + 1;
      for (;;) {
        const close = bytes.indexOf(QUOTE, from);
        if (close === -1) {
          if (!final) return undefined;
          throw new CsvSyntaxError("unbalanced quote: a quoted field is never closed", line);
        }
        for (
          let nl = bytes.indexOf(LF, from);
          nl !== -1 && nl < close;
          nl = bytes.indexOf(LF, nl + 1)
        ) {
          newlines++;
        }
        if (close + 1 >= n && !final) return undefined; // "" may straddle two chunks
        // Decoding piece by piece gives the same text: a quote never splits a character.
        if (bytes[close + 1] === QUOTE) {
          value += bytes.toString("utf8", from, close + 1);
          from = close + 2;
          continue;
        }
        value += bytes.toString("utf8", from, close);
        i = close + 1;
        break;
      }
      fields.push(value);
      const c = bytes[i];
      if (c === COMMA) {
        i++;
        continue;
      }
      if (c === LF) return { fields, next: i + 1, newlines };
      if (c === CR && bytes[i + 1] === LF) return { fields, next: i + 2, newlines };
      if (i >= n || (c === CR && i + 1 >= n)) {
        if (!final) return undefined;
        return { fields, next: n, newlines };
      }
      // 20 characters take at most 80 bytes.
      const after = bytes.toString("utf8", i, Math.min(n, i + 80)).slice(0, 20);
      throw new CsvSyntaxError(
        `unbalanced quote: ${JSON.stringify(after)} follows a closing quote`,
        line,
      );
    }
    const comma = bytes.indexOf(COMMA, i);
    const newline = bytes.indexOf(LF, i);
    let end = comma === -1 ? newline : newline === -1 ? comma : Math.min(comma, newline);
    if (end === -1) {
      if (!final) return undefined;
      end = n;
    }
    const atLineEnd = end !== comma;
    const rawEnd = atLineEnd && bytes[end - 1] === CR ? end - 1 : end;
    const raw = bytes.toString("utf8", i, rawEnd);
    if (raw.includes('"')) {
      throw new CsvSyntaxError(
        `unbalanced quote: a quote inside the unquoted field ${JSON.stringify(raw.slice(0, 40))}`,
        line,
      );
    }
    fields.push(raw);
    if (!atLineEnd) {
      i = end + 1;
      continue;
    }
    return { fields, next: end === n ? n : end + 1, newlines };
  }
}
