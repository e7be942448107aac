import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { Definitions } from "../definitions/definitions";

/**
 * The version of definitions: a digest of the modules' files (`moduleDigest`), of the files and
 * folders they declare they are read from (`Definitions.watch`: a dbt project's models), and of
 * what they define (keys, dependencies, partitions, code versions, checks, schedules, sensors).
 * The same files give the same version on every machine; definitions that differ in anything
 * the platform shows or plans with give different ones.
 */
export async function definitionsVersion(
  definitions: Definitions<unknown>,
  moduleDigest: string,
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(`${moduleDigest}\0`);
  for (const file of await filesUnder(definitions.watch)) {
    const content = await readFile(file).catch(() => undefined);
    hash.update(`${file}\0${content?.length ?? -1}\0`);
    if (content) hash.update(content);
  }
  hash.update(JSON.stringify(shape(definitions)));
  return hash.digest("hex").slice(0, 16);
}

/** The files of `paths` (folders walked, skipping hidden entries), sorted. */
async function filesUnder(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  const walk = async (p: string): Promise<void> => {
    const s = await stat(p).catch(() => undefined);
    if (!s) return;
    if (!s.isDirectory()) {
      found.push(p);
      return;
    }
    for (const entry of await readdir(p)) {
      if (!entry.startsWith(".")) await walk(path.join(p, entry));
    }
  };
  for (const p of paths) await walk(p);
  return [...new Set(found)].sort();
}

function shape(d: Definitions<unknown>): unknown {
  return {
    assets: d.assets.map((a) => [
      a.key,
      a.deps.map((dep) => dep.asset),
      a.codeVersion,
      a.partitions ?? null,
      a.group,
      a.automation ?? null,
    ]),
    checks: d.checks.map((c) => [c.asset, c.name, c.severity]),
    schedules: d.schedules.map((s) => [s.name, s.cron, s.timezone, s.selection]),
    sensors: d.sensors.map((s) => [s.name, s.selection, s.intervalMs]),
    pools: d.pools,
  };
}
