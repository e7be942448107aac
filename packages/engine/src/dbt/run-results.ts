import { readFile } from "node:fs/promises";

/** One node's outcome in dbt's `target/run_results.json`. */
export interface RunResult {
  readonly unique_id: string;
  /** Models: success | error | skipped; tests: pass | fail | warn | error | skipped. */
  readonly status: string;
  readonly message: string | null;
  readonly executionTime: number;
  readonly failures: number | null;
  /** From the adapter's response, e.g. INSERT 0 50171 → 50171. */
  readonly rowsAffected: number;
  /** The SQL dbt ran (a test's query of failing rows), when it compiled the node. */
  readonly compiledCode: string | null;
  /** The relation a model wrote, as compiled SQL names it (`"db"."emploi"."fait_offre_emploi"`). */
  readonly relationName: string | null;
}

export async function readRunResults(file: string): Promise<RunResult[]> {
  const parsed = JSON.parse(await readFile(file, "utf8")) as {
    results?: {
      unique_id: string;
      status: string;
      message?: string | null;
      execution_time?: number;
      failures?: number | null;
      adapter_response?: { rows_affected?: number };
      compiled_code?: string | null;
      relation_name?: string | null;
    }[];
  };
  return (parsed.results ?? []).map((r) => ({
    unique_id: r.unique_id,
    status: r.status,
    message: r.message ?? null,
    executionTime: r.execution_time ?? 0,
    failures: r.failures ?? null,
    rowsAffected: r.adapter_response?.rows_affected ?? 0,
    compiledCode: r.compiled_code || null,
    relationName: r.relation_name || null,
  }));
}
