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
  // Computed once per definition: status compares every asset's layout on each evaluation, and
  // a static list's text grows with its keys.
  let layout = LAYOUTS.get(def);
  if (layout === undefined) {
    layout = layoutOf(def);
    LAYOUTS.set(def, layout);
  }
  return layout;
}

const LAYOUTS = new WeakMap<PartitionsDefinition, string>();

function layoutOf(def: PartitionsDefinition): string {
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
 * layout; one-dimensional static keys of which one list is the start of the other (keys added
 * at the end keep the others' positions, and a process still on the shorter list names the
 * same partitions); or either side unpartitioned (index 0 of a partitioned asset, or the
 * partitions of a now unpartitioned one, name nothing that is read). Two-dimensional
 * partitions keep their indices only with the same static keys: an index is `time × n + key`,
 * n the number of keys.
 */
export function partitionsLayoutKeeps(stored: string, current: string): boolean {
  if (stored === current) return true;
  if (stored === UNPARTITIONED_LAYOUT || current === UNPARTITIONED_LAYOUT) return true;
  const before = staticKeys(stored);
  const after = staticKeys(current);
  if (!before || !after) return false;
  const [shorter, longer] = before.length <= after.length ? [before, after] : [after, before];
  return shorter.every((k, i) => longer[i] === k);
}

/**
 * The layout to record once `current` was found to keep `stored` (`partitionsLayoutKeeps`):
 * the longer of two static key lists, so that a process on older definitions does not shrink
 * it; and the partitioned layout when the asset is unpartitioned now, so that partitioned
 * history stays checked when partitions come back. Only an asset that never had partitions
 * records `unpartitioned`.
 *
 * @example
 * recordedPartitionsLayout('static:["a","b","c"]', 'static:["a","b"]') // 'static:["a","b","c"]'
 * recordedPartitionsLayout('static:["a","b"]', "unpartitioned") // 'static:["a","b"]'
 */
export function recordedPartitionsLayout(stored: string | undefined, current: string): string {
  if (stored === undefined || stored === UNPARTITIONED_LAYOUT) return current;
  if (current === UNPARTITIONED_LAYOUT) return stored;
  const before = staticKeys(stored);
  const after = staticKeys(current);
  return before && after && after.length < before.length ? stored : current;
}

function staticKeys(layout: string): string[] | undefined {
  return layout.startsWith(STATIC)
    ? (JSON.parse(layout.slice(STATIC.length)) as string[])
    : undefined;
}
