import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

export interface CopyStats {
  readonly rows: number;
  readonly bytes: number;
}

/**
 * Streams rows in COPY text format into `table(columns)` on `client`, with back-pressure: memory
 * stays bounded whatever the size of the source. `source` yields chunks, each holding whole
 * lines, as text (see `copyRow`) or UTF-8 bytes (see `CopyBytes`). Runs inside the caller's
 * transaction, if any.
 *
 * `freeze` writes the rows already frozen (COPY … FREEZE), for a table created or truncated
 * earlier in the same transaction (PostgreSQL refuses it otherwise): its first readers then
 * have no hint bits to set on every page, which with data checksums means writing each page
 * to the WAL again, and autovacuum has nothing to freeze later.
 *
 * @example
 * await copyInto(client, "raw.naf_sections", ["code", "libelle"], rows.map((r) => copyRow([r.code, r.label])));
 */
export async function copyInto(
  client: pg.PoolClient | pg.Client,
  table: string,
  columns: readonly string[],
  source: AsyncIterable<string | Buffer> | Iterable<string | Buffer>,
  options: { signal?: AbortSignal; freeze?: boolean } = {},
): Promise<CopyStats> {
  let rows = 0;
  let bytes = 0;
  async function* counted(): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      const buf = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk;
      bytes += buf.length;
      for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) rows++;
      yield buf;
    }
  }
  const sql = `COPY ${table} (${columns.map((c) => `"${c}"`).join(", ")}) FROM STDIN${
    options.freeze ? " WITH (FREEZE)" : ""
  }`;
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from(counted()), sink, options.signal ? { signal: options.signal } : {});
  return { rows, bytes };
}

/** Groups small strings into ~64 KiB chunks: far fewer writes than one per row. */
export async function* batchLines(
  lines: AsyncIterable<string> | Iterable<string>,
  size = 65_536,
): AsyncGenerator<string> {
  let buffer = "";
  for await (const line of lines) {
    buffer += line;
    if (buffer.length >= size) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer.length > 0) yield buffer;
}
