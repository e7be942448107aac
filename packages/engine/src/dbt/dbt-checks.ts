import type { AssetCheckResult, AssetCheckSpec, Logger } from "../definitions/asset";
import { failingRowsByPartition } from "./failing-partitions";
import type { ManifestNode } from "./manifest";
import type { RunResult } from "./run-results";

/** A dbt test's severity as a check's: its config says `warn` or `error` (dbt's default). */
export function severityOf(test: ManifestNode): "warn" | "error" {
  return String(test.config?.severity ?? "error").toLowerCase() === "warn" ? "warn" : "error";
}

/** The checks a model's dbt tests become, declared before they first run. */
export function checkSpecsOf(tests: readonly ManifestNode[]): AssetCheckSpec[] {
  return [...tests]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((t) => ({ name: t.name, severity: severityOf(t), description: describeTest(t) }));
}

/** `unique on id`, `relationships on rome_code (to ref('dim_rome'), field code_rome)`, or the singular test's file. */
function describeTest(test: ManifestNode): string {
  if (test.description) return test.description;
  const generic = test.test_metadata?.name;
  if (!generic) return `dbt singular test ${test.original_file_path}`;
  const kwargs = { ...(test.test_metadata?.kwargs ?? {}) };
  const column = kwargs.column_name;
  delete kwargs.column_name;
  delete kwargs.model;
  const args = Object.entries(kwargs)
    .map(([k, v]) => `${k} ${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(", ");
  return `dbt test ${generic}${typeof column === "string" ? ` on ${column}` : ""}${args ? ` (${args})` : ""}`;
}

export interface PartitionAttribution {
  /** The model's relation as dbt names it in compiled SQL (`"db"."emploi"."fait_offre_emploi"`). */
  readonly relationName: string | undefined;
  /** The model's partition column, when it has one. */
  readonly column: string | undefined;
  readonly connectionUrl: string;
  readonly log: Logger;
}

/**
 * The check results of a model's dbt tests after a build of `partitionKeys` (none: an
 * unpartitioned model, one result per test). For a partitioned model each result names its
 * partition: a test that passed passed for every partition built; one that failed over a single
 * partition failed for it; one that failed over a range is run again per partition (its
 * compiled SQL restricted to that partition's rows, see `failingRowsByPartition`) and fails only
 * where rows fail. When no partition fails alone (the failing rows are in partitions outside the
 * build, or span partitions, as duplicates across days do) or when it cannot be restricted, it
 * fails for every partition built: a failure is never dropped.
 */
export async function testChecks(
  tests: readonly ManifestNode[],
  results: ReadonlyMap<string, RunResult>,
  partitionKeys: readonly string[],
  attribution: PartitionAttribution,
): Promise<AssetCheckResult[]> {
  const out: AssetCheckResult[] = [];
  for (const test of tests) {
    const result = results.get(test.unique_id);
    if (!result) continue;
    const whole = wholeResult(test, result);
    if (partitionKeys.length === 0) out.push(whole);
    else if (whole.passed || partitionKeys.length === 1)
      out.push(...partitionKeys.map((partitionKey) => ({ ...whole, partitionKey })));
    else out.push(...(await perPartition(whole, result, partitionKeys, attribution)));
  }
  return out;
}

function wholeResult(test: ManifestNode, result: RunResult): AssetCheckResult {
  return {
    name: test.name,
    passed: result.status === "pass",
    severity: severityOf(test),
    description:
      result.status === "pass" ? "pass" : `${result.status}: ${result.message ?? ""}`.trim(),
    metadata: { failures: result.failures ?? 0, test: test.test_metadata?.name ?? "singular" },
  };
}

async function perPartition(
  whole: AssetCheckResult,
  result: RunResult,
  partitionKeys: readonly string[],
  attribution: PartitionAttribution,
): Promise<AssetCheckResult[]> {
  const everywhere = (why: string): AssetCheckResult[] =>
    partitionKeys.map((partitionKey) => ({
      ...whole,
      partitionKey,
      description: `${whole.description} (${why})`,
    }));
  const { relationName, column } = attribution;
  // A test that errored (its SQL failed) has nothing to attribute.
  if (result.status === "error" || !result.compiledCode || !relationName || !column)
    return everywhere("not attributable to a partition");
  let counts: Map<string, number> | undefined;
  try {
    counts = await failingRowsByPartition(attribution.connectionUrl, {
      compiledCode: result.compiledCode,
      relationName,
      column,
      partitionKeys,
    });
  } catch (e) {
    attribution.log.warn(
      `${whole.name}: could not attribute failures to partitions: ${(e as Error).message}`,
    );
  }
  if (!counts) return everywhere("not attributable to a partition");
  const failing = partitionKeys.filter((k) => (counts.get(k) ?? 0) > 0);
  if (failing.length === 0) return everywhere("no partition built fails alone");
  return partitionKeys.map((partitionKey) => {
    const n = counts.get(partitionKey) ?? 0;
    return n > 0
      ? {
          ...whole,
          partitionKey,
          description: `${result.status}: ${n} failing rows in ${partitionKey} (${result.failures ?? n} in the whole table)`,
          metadata: { ...whole.metadata, failures: n, build_failures: result.failures ?? 0 },
        }
      : {
          ...whole,
          partitionKey,
          passed: true,
          description: `pass in ${partitionKey} (failing rows in ${failing.join(", ")})`,
          metadata: { ...whole.metadata, failures: 0, build_failures: result.failures ?? 0 },
        };
  });
}
