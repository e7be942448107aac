import { InvalidPartitionError, LigneeError, quote } from "../errors";
import { IntervalSet } from "./interval-set";

/**
 * Partitions whose keys are added and removed at run time (by the API, the CLI, a sensor or an
 * asset), as Dagster's `DynamicPartitionsDefinition`: every asset declaring the same `name`
 * shares the same keys. Each key gets an integer index when first added, kept for good: a
 * removed key's index is never given to another key (stored partition subsets stay valid), and
 * a key added again gets its own index back.
 *
 * The definition itself holds no key. Whatever evaluates partitions (status, planning,
 * mappings) reads them from `loaded`, set by `loadDynamicPartitions` from a
 * `DynamicPartitionsStore` once per evaluation; an evaluation of a definition not loaded fails.
 */
export interface DynamicPartitionsDefinition {
  readonly kind: "dynamic";
  readonly name: string;
  /** The set's keys at the evaluation's start (see `loadDynamicPartitions`). */
  readonly loaded?: DynamicPartitionKeys;
}

/**
 * What the pure core reads dynamic partition keys from: the keys of a partitions set with their
 * indices, as read at one moment. PostgreSQL storage implements it (`readDynamicPartitions`).
 */
export interface DynamicPartitionsStore {
  /** The keys of set `name` (empty when none was ever added). */
  dynamicPartitionKeys(name: string): DynamicPartitionKeys;
}

/** One key of a dynamic partitions set, as stored. */
export interface DynamicPartitionKeyRow {
  readonly key: string;
  readonly index: number;
  /** Removed keys keep their index, so that their history still names them. */
  readonly removed: boolean;
}

/** Longest dynamic partition key, in characters. */
export const MAX_DYNAMIC_PARTITION_KEY_LENGTH = 255;
const NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
// Keys travel in URL paths (`/api/assets/{key}/partitions/{partition}`) and one-line messages.
const FORBIDDEN_IN_KEY = /[\u0000-\u001f\u007f/]/;

/**
 * @example
 * const sireneMonths = dynamicPartitions({ name: "sirene_months" });
 * defineAsset({ key: "raw/sirene_mensuel", partitions: sireneMonths, materialize: … });
 */
export function dynamicPartitions(options: { name: string }): DynamicPartitionsDefinition {
  const problem = dynamicPartitionsNameProblem(options.name);
  if (problem) throw new InvalidPartitionError(`dynamic partitions: ${problem}`);
  return { kind: "dynamic", name: options.name };
}

/** Why `name` cannot name a dynamic partitions set, or undefined when it can. */
function dynamicPartitionsNameProblem(name: string): string | undefined {
  if (typeof name !== "string" || !NAME_PATTERN.test(name)) {
    return `name ${quote(String(name))} must be 1 to 64 letters, digits, "_", "." or "-" (not starting with "." or "-")`;
  }
  return undefined;
}

/**
 * Checks keys about to be added or removed: at least one, none empty, none longer than
 * `MAX_DYNAMIC_PARTITION_KEY_LENGTH`, no control character or "/", not "." or "..", no key twice. Throws
 * InvalidPartitionError naming the first bad key.
 */
export function checkDynamicPartitionKeys(name: string, keys: readonly string[]): void {
  // User code may hand anything at run time: a string would otherwise be added char by char.
  if (!Array.isArray(keys)) {
    throw new InvalidPartitionError(
      `partitions ${quote(name)}: expected a list of keys, got ${describeValue(keys)}`,
    );
  }
  if (keys.length === 0) throw new InvalidPartitionError(`partitions ${quote(name)}: no key given`);
  const seen = new Set<string>();
  for (const key of keys) {
    if (typeof key !== "string" || key.length === 0) {
      throw new InvalidPartitionError(`partitions ${quote(name)}: empty partition key`);
    }
    if (key.length > MAX_DYNAMIC_PARTITION_KEY_LENGTH) {
      throw new InvalidPartitionError(
        `partitions ${quote(name)}: partition key ${quote(key)} is longer than ${MAX_DYNAMIC_PARTITION_KEY_LENGTH} characters`,
      );
    }
    if (FORBIDDEN_IN_KEY.test(key)) {
      throw new InvalidPartitionError(
        `partitions ${quote(name)}: partition key ${quote(key)} contains "/" or a control character`,
      );
    }
    // Keys travel in URL paths, where "." and ".." name other paths.
    if (key === "." || key === "..") {
      throw new InvalidPartitionError(
        `partitions ${quote(name)}: partition key ${quote(key)} is "." or ".."`,
      );
    }
    if (key.trim() !== key) {
      throw new InvalidPartitionError(
        `partitions ${quote(name)}: partition key ${quote(key)} starts or ends with a space`,
      );
    }
    if (seen.has(key)) {
      throw new InvalidPartitionError(
        `partitions ${quote(name)}: partition key ${quote(key)} is given twice`,
      );
    }
    seen.add(key);
  }
}

/** Keys to add to or remove from a dynamic partitions set, as sensors ask. */
export interface DynamicPartitionsChange {
  readonly kind: "add" | "remove";
  /** The set's name, as `dynamicPartitions({ name })` declares it. */
  readonly name: string;
  readonly keys: readonly string[];
}

/**
 * Checks changes handed by user code at run time (its types do not hold there): a list of
 * `{ kind: "add" | "remove", name, keys }` with good keys (see `checkDynamicPartitionKeys`).
 * Throws InvalidPartitionError naming the first bad change; returns the changes as given.
 */
export function checkDynamicPartitionsChanges(
  changes: unknown,
): readonly DynamicPartitionsChange[] {
  if (!Array.isArray(changes)) {
    throw new InvalidPartitionError(
      `dynamic partitions requests: expected a list, got ${describeValue(changes)}`,
    );
  }
  changes.forEach((change: unknown, i) => {
    const at = `dynamic partitions request ${i + 1}`;
    if (typeof change !== "object" || change === null) {
      throw new InvalidPartitionError(`${at}: expected { kind, name, keys }`);
    }
    const { kind, name, keys } = change as Record<string, unknown>;
    if (kind !== "add" && kind !== "remove") {
      throw new InvalidPartitionError(
        `${at}: kind must be "add" or "remove", got ${describeValue(kind)}`,
      );
    }
    if (typeof name !== "string") {
      throw new InvalidPartitionError(`${at}: name must be a string, got ${describeValue(name)}`);
    }
    checkDynamicPartitionKeys(name, keys as readonly string[]);
  });
  return changes as readonly DynamicPartitionsChange[];
}

function describeValue(value: unknown): string {
  if (typeof value === "string") return quote(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? "a list" : `a ${typeof value}`;
}

/**
 * The keys of one dynamic partitions set at one moment: the current keys as an interval set of
 * their indices (sorted by index, i.e. by when they were first added), and every index ever
 * given, so that the history of a removed key still names it.
 */
export class DynamicPartitionKeys {
  static readonly EMPTY = new DynamicPartitionKeys([]);

  /** The indices of the current keys. */
  readonly indices: IntervalSet;
  private readonly byKey: ReadonlyMap<string, DynamicPartitionKeyRow>;
  private readonly byIndex: ReadonlyMap<number, string>;

  constructor(rows: readonly DynamicPartitionKeyRow[]) {
    this.byKey = new Map(rows.map((r) => [r.key, r]));
    this.byIndex = new Map(rows.map((r) => [r.index, r.key]));
    this.indices = IntervalSet.fromIndices(rows.filter((r) => !r.removed).map((r) => r.index));
  }

  /** The current keys, by index. */
  get keys(): string[] {
    return [...this.indices].map((i) => this.byIndex.get(i)!);
  }

  /** A current key's index, or undefined (never added, or removed). */
  indexOf(key: string): number | undefined {
    const row = this.byKey.get(key);
    return row && !row.removed ? row.index : undefined;
  }

  /** The index a key was given, removed or not; undefined when it was never added. */
  indexEverGiven(key: string): number | undefined {
    return this.byKey.get(key)?.index;
  }

  /** Whether the key was added and then removed. */
  wasRemoved(key: string): boolean {
    return this.byKey.get(key)?.removed ?? false;
  }

  /** The key of any index ever given (removed keys included), or undefined. */
  keyOf(index: number): string | undefined {
    return this.byIndex.get(index);
  }
}

/** A snapshot of several sets, as `DynamicPartitionsStore` (sets never seen are empty). */
export class DynamicPartitionsSnapshot implements DynamicPartitionsStore {
  constructor(private readonly sets: ReadonlyMap<string, DynamicPartitionKeys>) {}

  static fromRows(
    rows: readonly (DynamicPartitionKeyRow & { set: string })[],
  ): DynamicPartitionsSnapshot {
    const bySet = new Map<string, DynamicPartitionKeyRow[]>();
    for (const r of rows) {
      const list = bySet.get(r.set) ?? [];
      list.push({ key: r.key, index: r.index, removed: r.removed });
      bySet.set(r.set, list);
    }
    return new DynamicPartitionsSnapshot(
      new Map([...bySet].map(([set, list]) => [set, new DynamicPartitionKeys(list)])),
    );
  }

  dynamicPartitionKeys(name: string): DynamicPartitionKeys {
    return this.sets.get(name) ?? DynamicPartitionKeys.EMPTY;
  }
}

/** The definition with the keys of its set read from `store`. */
export function withLoadedKeys(
  def: DynamicPartitionsDefinition,
  store: DynamicPartitionsStore,
): DynamicPartitionsDefinition {
  return { kind: "dynamic", name: def.name, loaded: store.dynamicPartitionKeys(def.name) };
}

/** The loaded keys of a dynamic definition; throws when they were not loaded. */
export function loadedKeys(def: DynamicPartitionsDefinition): DynamicPartitionKeys {
  if (!def.loaded) {
    // A caller's bug (definitions evaluated without their keys), not bad input.
    throw new LigneeError(
      "RUNTIME",
      `dynamic partitions ${quote(def.name)}: keys not loaded (evaluate definitions returned by loadDynamicPartitions)`,
    );
  }
  return def.loaded;
}

/** Key → index of a current key; InvalidPartitionError for any other key. */
export function dynamicPartitionIndex(def: DynamicPartitionsDefinition, key: string): number {
  const keys = loadedKeys(def);
  const index = keys.indexOf(key);
  if (index !== undefined) return index;
  throw new InvalidPartitionError(
    keys.wasRemoved(key)
      ? `partition key ${quote(key)} was removed from dynamic partitions ${quote(def.name)}`
      : `partition key ${quote(key)} is not one of dynamic partitions ${quote(def.name)}${
          keys.indices.isEmpty ? " (it has no key yet)" : ""
        }: add it first (lignee partitions add ${def.name} KEY)`,
  );
}

/**
 * The index a key was given, even if it was removed since (what a range between two keys
 * recorded earlier covers); undefined when it was never added.
 */
export function dynamicPartitionIndexEverGiven(
  def: DynamicPartitionsDefinition,
  key: string,
): number | undefined {
  return loadedKeys(def).indexEverGiven(key);
}

/** Index → key (removed keys too). */
export function dynamicPartitionKey(def: DynamicPartitionsDefinition, index: number): string {
  const key = loadedKeys(def).keyOf(index);
  if (key === undefined) {
    throw new InvalidPartitionError(`no partition of ${quote(def.name)} at index ${index}`);
  }
  return key;
}
