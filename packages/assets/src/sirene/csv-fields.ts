const COMMA = 44;
const EMPTY = Buffer.alloc(0);

/**
 * Some fields of CSV records, chosen by position, as byte ranges: field `k` of the last record
 * read is `bytes[starts[k], ends[k])`, for the `k`-th of `positions`. `count` is the record's
 * number of fields; the ranges of positions it does not reach are left as they were, so read
 * them only once `count` is checked. A record without quotes is only scanned for its commas:
 * the fields that are not chosen are never copied.
 *
 * @example
 * const picker = new FieldPicker([2, 0]);
 * picker.plain(Buffer.from("a,b,c"), 0, 5); // count 3, field 0 "c", field 1 "a"
 */
export class FieldPicker {
  /** For each field position, its index in `positions`, or -1 when it is not chosen. */
  private readonly slots: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  bytes: Buffer = EMPTY;
  count = 0;

  constructor(private readonly positions: readonly number[]) {
    this.slots = new Int32Array(Math.max(0, ...positions) + 1).fill(-1);
    positions.forEach((p, k) => {
      this.slots[p] = k;
    });
    this.starts = new Int32Array(positions.length);
    this.ends = new Int32Array(positions.length);
  }

  /** Reads `bytes[start, end)`, a record without quotes and without its line end. */
  plain(bytes: Buffer, start: number, end: number): void {
    const slots = this.slots;
    const reach = slots.length;
    this.bytes = bytes;
    let field = 0;
    let from = start;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== COMMA) continue;
      if (field < reach) this.pick(field, from, i);
      field++;
      from = i + 1;
    }
    if (field < reach) this.pick(field, from, end);
    this.count = field + 1;
  }

  /** Reads a record parsed into its fields (one with quotes). */
  fields(fields: readonly string[]): void {
    const encoded = this.positions.map((p) =>
      p < fields.length ? Buffer.from(fields[p]!, "utf8") : EMPTY,
    );
    this.bytes = Buffer.concat(encoded);
    let offset = 0;
    encoded.forEach((b, k) => {
      this.starts[k] = offset;
      offset += b.length;
      this.ends[k] = offset;
    });
    this.count = fields.length;
  }

  /** Field `k` as text. */
  text(k: number): string {
    return this.bytes.toString("utf8", this.starts[k], this.ends[k]);
  }

  private pick(field: number, start: number, end: number): void {
    const k = this.slots[field]!;
    if (k === -1) return;
    this.starts[k] = start;
    this.ends[k] = end;
  }
}
