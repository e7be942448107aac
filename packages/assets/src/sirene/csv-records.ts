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

/** Longest record accepted: far above any real one, low enough to stop a runaway quote early. */
const DEFAULT_MAX_RECORD_CHARS = 1 << 20;

/**
 * Parses comma-separated UTF-8 text (RFC 4180: fields quoted with `"` when they hold a comma, a
 * quote or a line break, `""` for a quote inside them; LF or CRLF line ends; a leading BOM is
 * dropped) into records, streaming: only the current chunk and one incomplete record are held.
 * Blank lines are skipped. Throws `CsvSyntaxError` with the record's first line for an unclosed
 * quote, text after a closing quote, a quote inside an unquoted field, or a record longer than
 * `maxRecordChars` (which is what an unbalanced quote turns the rest of a file into).
 *
 * Hand-written rather than csv-parse: lines without quotes (nearly all of a SIRENE file) are
 * split natively, which parses the 2.5-million-line stock about ten times faster.
 *
 * @example
 * for await (const { line, fields } of csvRecords(createReadStream("stock.csv"))) …
 */
export async function* csvRecords(
  chunks: AsyncIterable<Buffer | string> | Iterable<Buffer | string>,
  options: { maxRecordChars?: number } = {},
): AsyncGenerator<CsvRecord> {
  const maxRecordChars = options.maxRecordChars ?? DEFAULT_MAX_RECORD_CHARS;
  const decoder = new StringDecoder("utf8");
  const parser = new Parser();
  let first = true;
  for await (const chunk of chunks) {
    let text = typeof chunk === "string" ? chunk : decoder.write(chunk);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    yield* parser.feed(text, false);
    if (parser.pendingLength > maxRecordChars) {
      throw new CsvSyntaxError(
        `a record longer than ${maxRecordChars} characters starts here: unbalanced quote?`,
        parser.line,
      );
    }
  }
  yield* parser.feed(decoder.end(), true);
}

/** What `parseRecord` returns for a record it could read to its end. */
interface Parsed {
  readonly fields: string[];
  /** Index just after the record's line end. */
  readonly next: number;
  /** Line breaks inside quoted fields. */
  readonly newlines: number;
}

class Parser {
  /** The start of a record the previous chunk ended in the middle of. */
  private pending = "";
  /** Line of the next record. */
  line = 1;

  get pendingLength(): number {
    return this.pending.length;
  }

  *feed(chunk: string, final: boolean): Generator<CsvRecord> {
    const text = this.pending.length > 0 ? this.pending + chunk : chunk;
    const n = text.length;
    let pos = 0;
    // Next quote at or after `pos`, searched again only once passed: searching from every line
    // would rescan the rest of the chunk each time.
    let quote = text.indexOf('"');
    while (pos < n) {
      const newline = text.indexOf("\n", pos);
      if (newline === -1 && !final) break;
      const end = newline === -1 ? n : newline;
      if (quote !== -1 && quote < pos) quote = text.indexOf('"', pos);
      if (quote === -1 || quote > end) {
        const lineEnd = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
        if (lineEnd > pos) yield { line: this.line, fields: text.slice(pos, lineEnd).split(",") };
        this.line++;
        pos = end + 1;
        continue;
      }
      const parsed = parseRecord(text, pos, final, this.line);
      if (parsed === undefined) break;
      yield { line: this.line, fields: parsed.fields };
      this.line += 1 + parsed.newlines;
      pos = parsed.next;
    }
    this.pending = pos < n ? text.slice(pos) : "";
  }
}

/**
 * Reads the record at `start`, which holds at least one quote. Returns undefined when the text
 * ends before the record does and more may come.
 */
function parseRecord(
  text: string,
  start: number,
  final: boolean,
  line: number,
): Parsed | undefined {
  const n = text.length;
  const fields: string[] = [];
  let newlines = 0;
  let i = start;
  for (;;) {
    if (text.charCodeAt(i) === 34 /* " */) {
      let value = "";
      let from = i + 1;
      for (;;) {
        const close = text.indexOf('"', from);
        if (close === -1) {
          if (!final) return undefined;
          throw new CsvSyntaxError("unbalanced quote: a quoted field is never closed", line);
        }
        for (
          let nl = text.indexOf("\n", from);
          nl !== -1 && nl < close;
          nl = text.indexOf("\n", nl + 1)
        ) {
          newlines++;
        }
        if (close + 1 >= n && !final) return undefined; // "" may straddle two chunks
        if (text.charCodeAt(close + 1) === 34) {
          value += text.slice(from, close + 1);
          from = close + 2;
          continue;
        }
        value += text.slice(from, close);
        i = close + 1;
        break;
      }
      fields.push(value);
      const c = text.charCodeAt(i);
      if (c === 44 /* , */) {
        i++;
        continue;
      }
      if (c === 10) return { fields, next: i + 1, newlines };
      if (c === 13 && text.charCodeAt(i + 1) === 10) return { fields, next: i + 2, newlines };
      if (i >= n || (c === 13 && i + 1 >= n)) {
        if (!final) return undefined;
        return { fields, next: n, newlines };
      }
      throw new CsvSyntaxError(
        `unbalanced quote: ${JSON.stringify(text.slice(i, i + 20))} follows a closing quote`,
        line,
      );
    }
    const comma = text.indexOf(",", i);
    const newline = text.indexOf("\n", i);
    let end = comma === -1 ? newline : newline === -1 ? comma : Math.min(comma, newline);
    if (end === -1) {
      if (!final) return undefined;
      end = n;
    }
    const atLineEnd = end !== comma;
    const raw = text.slice(i, atLineEnd && text.charCodeAt(end - 1) === 13 ? end - 1 : end);
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
