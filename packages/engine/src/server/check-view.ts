import type { Definitions } from "../definitions/definitions";
import { UnknownAssetError, UnknownCheckError } from "../errors";
import type { CheckResultRecord, CheckSwitch, Storage } from "../storage/storage";

type Source = "check" | "materialization" | "results";

interface Known {
  readonly name: string;
  readonly severity: "error" | "warn";
  readonly description: string | null;
  readonly source: Source;
}

/**
 * Every check of an asset: declared with `defineCheck`, declared by its materialisation
 * (`checkSpecs`), or only seen in stored results; in that order of precedence, by name.
 */
export function knownChecks(
  definitions: Definitions<unknown>,
  assetKey: string,
  latest: readonly CheckResultRecord[],
): Known[] {
  if (!definitions.has(assetKey)) throw new UnknownAssetError(assetKey);
  const out = new Map<string, Known>();
  for (const c of definitions.checksOf(assetKey))
    out.set(c.name, {
      name: c.name,
      severity: c.severity,
      description: c.description ?? null,
      source: "check",
    });
  for (const c of definitions.get(assetKey).checkSpecs)
    if (!out.has(c.name))
      out.set(c.name, {
        name: c.name,
        severity: c.severity,
        description: c.description ?? null,
        source: "materialization",
      });
  for (const r of latest)
    if (!out.has(r.checkName))
      out.set(r.checkName, {
        name: r.checkName,
        severity: r.severity,
        description: null,
        source: "results",
      });
  return [...out.values()];
}

/** Throws UnknownCheckError (404) unless the asset has a check of that name. */
export async function requireCheck(
  definitions: Definitions<unknown>,
  storage: Storage,
  assetKey: string,
  name: string,
): Promise<void> {
  const latest = await storage.latestCheckResults(assetKey);
  if (!knownChecks(definitions, assetKey, latest).some((c) => c.name === name))
    throw new UnknownCheckError(assetKey, name);
}

/** `GET /api/assets/{key}/checks`: each check, its switch, its latest result per partition. */
export async function assetChecksView(
  definitions: Definitions<unknown>,
  storage: Storage,
  assetKey: string,
) {
  if (!definitions.has(assetKey)) throw new UnknownAssetError(assetKey);
  const [latest, switches] = await Promise.all([
    storage.latestCheckResults(assetKey),
    storage.checkSwitches(assetKey),
  ]);
  const switchOf = new Map<string, CheckSwitch>(switches.map((s) => [s.checkName, s]));
  const checks = knownChecks(definitions, assetKey, latest).map((c) => {
    const results = latest
      .filter((r) => r.checkName === c.name)
      .sort((a, b) => a.partitionKey.localeCompare(b.partitionKey));
    const newest = results.reduce<CheckResultRecord | undefined>(
      (best, r) => (best === undefined || r.id > best.id ? r : best),
      undefined,
    );
    const sw = switchOf.get(c.name);
    return {
      ...c,
      enabled: sw?.enabled ?? true,
      switchedAt: sw ? sw.updatedAt.toISOString() : null,
      switchedBy: sw?.updatedBy ?? null,
      latest: newest ? checkEvaluationView(newest) : null,
      passedPartitions: results.filter((r) => r.passed).length,
      failedPartitions: results.filter((r) => !r.passed).length,
      partitions: results.map(checkEvaluationView),
    };
  });
  return { assetKey, checks };
}

export function checkEvaluationView(c: CheckResultRecord) {
  return {
    id: c.id,
    checkName: c.checkName,
    partitionKey: c.partitionKey,
    passed: c.passed,
    severity: c.severity,
    description: c.description,
    metadata: c.metadata,
    runId: c.runId,
    durationMs: c.durationMs,
    createdAt: c.createdAt.toISOString(),
  };
}
