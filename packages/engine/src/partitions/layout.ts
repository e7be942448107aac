import type { PartitionsDefinition } from "./definition";

/**
 * What stored partition indices mean for an asset: a text that changes whenever the same index
 * would name another partition (another grain, another list of static keys, another dynamic
 * set). Not the timezone, start or end offset: time indices count periods from a fixed epoch,
 * so those change which partitions exist, not which index names which period.
 *
 * @example
 * partitionsLayout(multiPartitions({ date: daily, region: staticPartitions(["84", "93"]) }))
 * // 'multi:daily|static:["84","93"]'
 */
export function partitionsLayout(def: PartitionsDefinition | undefined): string {
  if (!def) return UNPARTITIONED_LAYOUT;
  switch (def.kind) {
    case "static":
      return `${STATIC}${JSON.stringify(def.keys)}`;
    case "dynamic":
      return `dynamic:${def.name}`;
    case "hourly":
    case "daily":
    case "monthly":
      return def.kind;
    case "weekly":
      return `weekly:${def.weekStartsOn}`;
    case "multi":
      return `multi:${partitionsLayout(def.time.partitions)}|${partitionsLayout(def.static.partitions)}`;
  }
}

const UNPARTITIONED_LAYOUT = "unpartitioned";
const STATIC = "static:";

/**
 * Whether partitions stored under layout `stored` still mean the same under `current`: the same
 * layout; static keys added at the end of a one-dimensional list (the others keep their
 * positions); or either side unpartitioned (index 0 of a partitioned asset, or the partitions of
 * a now unpartitioned one, name nothing that is read). Two-dimensional partitions keep their
 * indices only with the same static keys: an index is `time × n + key`, n the number of keys.
 */
export function partitionsLayoutKeeps(stored: string, current: string): boolean {
  if (stored === current) return true;
  if (stored === UNPARTITIONED_LAYOUT || current === UNPARTITIONED_LAYOUT) return true;
  if (!stored.startsWith(STATIC) || !current.startsWith(STATIC)) return false;
  const before = JSON.parse(stored.slice(STATIC.length)) as string[];
  const after = JSON.parse(current.slice(STATIC.length)) as string[];
  return before.length <= after.length && before.every((k, i) => after[i] === k);
}
