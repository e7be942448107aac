const BACKSLASH = 92;
const TAB = 9;
const LF = 10;
const CR = 13;
const N = 78;

/**
 * Builds PostgreSQL COPY text (see `copy-text.ts`) straight from UTF-8 byte ranges, without
 * decoding them: backslash, tab, newline and carriage return are single bytes in UTF-8, never
 * part of a longer character, so escaping them byte by byte gives the same text as `copyValue`.
 * Call `reserve` with an upper bound before writing a row; `take` hands over what was written.
 *
 * @example
 * const out = new CopyBytes();
 * out.reserve(CopyBytes.bound(bytes.length, 2));
 * out.value(bytes, 0, 3); out.tab(); out.nul(); out.newline();
 * yield out.take();
 */
export class CopyBytes {
  private buffer: Buffer;
  private length = 0;

  constructor(private readonly initialSize = 1 << 16) {
    this.buffer = Buffer.allocUnsafe(initialSize);
  }

  /** Most bytes a row of `fields` values taken from `bytes` bytes of input can need. */
  static bound(bytes: number, fields: number): number {
    // Every byte may double (escaped); an empty value becomes \N; a tab or newline after each.
    return 2 * bytes + 3 * fields;
  }

  /** Makes room for `bytes` more bytes. */
  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + bytes));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  /** `bytes[start, end)`, escaped. */
  value(bytes: Buffer, start: number, end: number): void {
    const out = this.buffer;
    let o = this.length;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      if (c === BACKSLASH || c <= CR) {
        if (c === BACKSLASH) {
          out[o++] = BACKSLASH;
          out[o++] = BACKSLASH;
          continue;
        }
        if (c === TAB || c === LF || c === CR) {
          out[o++] = BACKSLASH;
          out[o++] = c === TAB ? 116 /* t */ : c === LF ? 110 /* n */ : 114; /* r */
          continue;
        }
      }
      out[o++] = c;
    }
    this.length = o;
  }

  /** `bytes[start, end)` as they are, for a value known to need no escape. */
  verbatim(bytes: Buffer, start: number, end: number): void {
    const out = this.buffer;
    let o = this.length;
    for (let i = start; i < end; i++) out[o++] = bytes[i]!;
    this.length = o;
  }

  /** NULL. */
  nul(): void {
    this.buffer[this.length++] = BACKSLASH;
    this.buffer[this.length++] = N;
  }

  tab(): void {
    this.buffer[this.length++] = TAB;
  }

  newline(): void {
    this.buffer[this.length++] = LF;
  }

  /** What was written since the last call (undefined if nothing), in a buffer of its own. */
  take(): Buffer | undefined {
    if (this.length === 0) return undefined;
    const written = this.buffer.subarray(0, this.length);
    // The next batch is likely about as large: sized for it, it rarely has to grow.
    this.buffer = Buffer.allocUnsafe(Math.max(this.initialSize, this.length + (this.length >> 2)));
    this.length = 0;
    return written;
  }
}
