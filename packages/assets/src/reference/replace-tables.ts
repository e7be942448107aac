import { batchLines, copyInto } from "../warehouse/copy";
import { copyRow } from "../warehouse/copy-text";
import type { Warehouse } from "../warehouse/warehouse";
import { ReferenceDataError } from "./errors";

/** What every load returns; loaders add one entry per table they fill (`naf_sections: 21`). */
export interface LoadStats {
  /** Rows written, all tables together. */
  readonly rows: number;
  /** Bytes sent to PostgreSQL (COPY text). */
  readonly bytes: number;
  readonly durationMs: number;
}

type CopyValue = string | number | boolean | null | undefined;

/** The new content of one table: its qualified name, the columns filled and the rows. */
export interface TableContent {
  readonly table: string;
  readonly columns: readonly string[];
  readonly rows: Iterable<readonly CopyValue[]>;
}

export interface ReplaceResult {
  readonly rows: number;
  readonly bytes: number;
  /** Rows written per table, keyed by the unqualified table name (`naf_sections`). */
  readonly tables: Readonly<Record<string, number>>;
}

/**
 * Replaces the content of several tables in one transaction: the tables are emptied and
 * refilled with COPY, and readers see either all the old rows or all the new ones. The tables
 * are emptied in the order given, so list parents before children when foreign keys link them.
 *
 * @example
 * await replaceTables(warehouse, [{ table: "raw.naf_sections", columns: ["code", "libelle"], rows }]);
 */
export async function replaceTables(
  warehouse: Warehouse,
  contents: readonly TableContent[],
  options: { signal?: AbortSignal } = {},
): Promise<ReplaceResult> {
  try {
    return await warehouse.transaction(async (client) => {
      // One TRUNCATE for all tables: it takes its locks at once, in a fixed order.
      await client.query(`TRUNCATE ${contents.map((c) => c.table).join(", ")}`);
      let rows = 0;
      let bytes = 0;
      const tables: Record<string, number> = {};
      for (const content of contents) {
        const lines = (function* () {
          for (const row of content.rows) yield copyRow(row);
        })();
        const stats = await copyInto(
          client,
          content.table,
          content.columns,
          batchLines(lines),
          // Truncated above in this transaction: the rows can be written frozen.
          { ...options, freeze: true },
        );
        rows += stats.rows;
        bytes += stats.bytes;
        tables[content.table.slice(content.table.indexOf(".") + 1)] = stats.rows;
      }
      return { rows, bytes, tables };
    });
  } catch (error) {
    if (error instanceof ReferenceDataError) throw error;
    const names = contents.map((c) => c.table).join(", ");
    throw new ReferenceDataError(
      "LOAD_FAILED",
      `loading ${names} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
