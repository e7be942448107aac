import { InvalidPartitionError, quote } from "../errors";
import { dayIn, formatDateKey, isValidTimezone, parseDateKey, startOfDay } from "./calendar";
import {
  dynamicPartitionIndex,
  dynamicPartitionKey,
  loadedKeys,
  type DynamicPartitionsDefinition,
} from "./dynamic";
import { IntervalSet } from "./interval-set";

/**
 * Daily partitions: one per calendar day in `timezone`, from `start`. With `endOffset: 0` the
 * last partition is the last *complete* day (yesterday), as in Dagster; `endOffset: 1` adds the
 * day in progress. Partition index = epoch day, so indices do not depend on the start date.
 */
export interface DailyPartitionsDefinition {
  readonly kind: "daily";
  readonly start: string;
  readonly startDay: number;
  readonly timezone: string;
  readonly endOffset: number;
}

/** A fixed list of keys; partition index = position in the list. */
export interface StaticPartitionsDefinition {
  readonly kind: "static";
  readonly keys: readonly string[];
}

export type PartitionsDefinition =
  DailyPartitionsDefinition | StaticPartitionsDefinition | DynamicPartitionsDefinition;

export const DEFAULT_TIMEZONE = "Europe/Paris";

/**
 * @example
 * dailyPartitions({ start: "2024-05-23" }) // Europe/Paris, last partition = yesterday
 */
export function dailyPartitions(options: {
  start: string;
  timezone?: string;
  endOffset?: number;
}): DailyPartitionsDefinition {
  const startDay = parseDateKey(options.start);
  if (startDay === undefined) {
    throw new InvalidPartitionError(
      `daily partitions: start "${options.start}" is not a YYYY-MM-DD date`,
    );
  }
  const timezone = options.timezone ?? DEFAULT_TIMEZONE;
  if (!isValidTimezone(timezone)) {
    throw new InvalidPartitionError(`daily partitions: unknown timezone "${timezone}"`);
  }
  const endOffset = options.endOffset ?? 0;
  if (!Number.isInteger(endOffset)) {
    throw new InvalidPartitionError(`daily partitions: endOffset must be an integer`);
  }
  return { kind: "daily", start: options.start, startDay, timezone, endOffset };
}

/** @example staticPartitions(["fr", "de"]) */
export function staticPartitions(keys: readonly string[]): StaticPartitionsDefinition {
  if (keys.length === 0) throw new InvalidPartitionError("static partitions: no keys");
  const seen = new Set<string>();
  for (const k of keys) {
    if (k.length === 0) throw new InvalidPartitionError("static partitions: empty key");
    if (seen.has(k)) throw new InvalidPartitionError(`static partitions: duplicate key "${k}"`);
    seen.add(k);
  }
  return { kind: "static", keys: [...keys] };
}

/** Inclusive index bounds of the partitions that exist at `now` (`last < first` when none). */
export function partitionBounds(
  def: PartitionsDefinition,
  now: Date,
): { first: number; last: number } {
  if (def.kind === "static") return { first: 0, last: def.keys.length - 1 };
  if (def.kind === "dynamic") {
    const { indices } = loadedKeys(def);
    return { first: indices.first ?? 0, last: indices.last ?? -1 };
  }
  return { first: def.startDay, last: dayIn(def.timezone, now) - 1 + def.endOffset };
}

/** Every partition that exists at `now`. */
export function allPartitions(def: PartitionsDefinition, now: Date): IntervalSet {
  // Removed dynamic keys leave gaps: their indices are never given again.
  if (def.kind === "dynamic") return loadedKeys(def).indices;
  const { first, last } = partitionBounds(def, now);
  return IntervalSet.fromRange(first, last + 1);
}

/**
 * Key → index; throws InvalidPartitionError for a malformed key (`2024-02-30`) or one outside
 * the partitions that exist at `now`.
 */
export function partitionIndex(def: PartitionsDefinition, key: string, now: Date): number {
  if (def.kind === "static") {
    const i = def.keys.indexOf(key);
    if (i < 0) {
      throw new InvalidPartitionError(
        `invalid partition key ${quote(key)}: expected one of ${def.keys.join(", ")}`,
      );
    }
    return i;
  }
  if (def.kind === "dynamic") return dynamicPartitionIndex(def, key);
  const day = parseDateKey(key);
  if (day === undefined) {
    throw new InvalidPartitionError(
      `invalid partition key ${quote(key)}: not a valid YYYY-MM-DD date`,
    );
  }
  const { first, last } = partitionBounds(def, now);
  if (day < first || day > last) {
    throw new InvalidPartitionError(
      `partition key ${quote(key)} is out of range: partitions run from ${formatDateKey(first)} to ${
        last >= first ? formatDateKey(last) : "(none yet)"
      }`,
    );
  }
  return day;
}

export function partitionKey(def: PartitionsDefinition, index: number): string {
  if (def.kind === "static") {
    const key = def.keys[index];
    if (key === undefined) throw new InvalidPartitionError(`no static partition at index ${index}`);
    return key;
  }
  if (def.kind === "dynamic") return dynamicPartitionKey(def, index);
  return formatDateKey(index);
}

export function partitionKeys(def: PartitionsDefinition, subset: IntervalSet): string[] {
  const keys: string[] = [];
  for (const i of subset) keys.push(partitionKey(def, i));
  return keys;
}

/** The instants a daily partition covers in its timezone (23 h, 24 h or 25 h long). */
export function partitionTimeWindow(
  def: DailyPartitionsDefinition,
  index: number,
): { start: Date; end: Date } {
  return { start: startOfDay(index, def.timezone), end: startOfDay(index + 1, def.timezone) };
}

/** A stable text that changes whenever the meaning of partition indices changes. */
export function partitionsFingerprint(def: PartitionsDefinition | undefined): string {
  if (!def) return "unpartitioned";
  if (def.kind === "static") return `static:${def.keys.join("\u0000")}`;
  if (def.kind === "dynamic") return `dynamic:${def.name}`;
  return `daily:${def.timezone}`;
}

export function describePartitions(def: PartitionsDefinition | undefined): string {
  if (!def) return "unpartitioned";
  if (def.kind === "static") return `static (${def.keys.length} keys)`;
  if (def.kind === "dynamic") return `dynamic (${def.name})`;
  return `daily from ${def.start} (${def.timezone})`;
}
