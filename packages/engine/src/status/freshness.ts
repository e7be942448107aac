import { parseCron, type CronSchedule } from "../definitions/cron";
import type { FreshnessPolicy } from "../definitions/freshness-policy";
import { dayIn, startOfDay } from "../partitions/calendar";
import type { PartitionsDefinition } from "../partitions/definition";
import { partitionKey } from "../partitions/definition";
import { IntervalSet } from "../partitions/interval-set";

/** What freshness needs to know of an asset: what is materialised, and when it last was. */
export interface FreshnessFacts {
  /** Partitions materialised at least once (indices; ignored for an unpartitioned asset). */
  readonly materialized: IntervalSet;
  /** The latest materialisation of any partition; undefined: never. */
  readonly lastMaterializedAt: Date | undefined;
}

/**
 * An asset's freshness at an instant.
 *
 * - `fresh`: what the policy expects is there.
 * - `overdue`: it is not, `since` when (the deadline that was missed, or the instant the latest
 *   materialisation became older than `maxLag`); `since` is null only for an unpartitioned
 *   asset never materialised. `partitionKey` is the oldest partition of the unbroken run of
 *   missed deadlines up to now (its deadline is `since`); `missing` counts that run.
 *
 * `lagSeconds` is what metrics export: for a deadline policy, how long past its deadline the
 * expected data is (0 when fresh); for `maxLag`, how old the latest materialisation is (null
 * when there is none). `deadline` is the deadline that applies now (the most recent one that
 * passed; undefined before the first one), for a deadline policy.
 */
export type FreshnessEvaluation =
  | {
      readonly state: "fresh";
      readonly lagSeconds: number | null;
      readonly deadline?: Date;
    }
  | {
      readonly state: "overdue";
      readonly since: Date | null;
      readonly partitionKey?: string;
      readonly missing?: number;
      readonly lagSeconds: number | null;
      readonly deadline?: Date;
    };

/**
 * Pure: is an asset's data as fresh as its policy asks, at `now`?
 *
 * For a deadline policy on daily partitions, the deadline instant D that applies is the most
 * recent one at or before `now` (before today's 07:00, yesterday's 07:00 still applies); the
 * partition it expects is the last one that ended at or before D (J-1 for a 07:00 deadline).
 * Materialised at any time, even after D, that partition makes the asset fresh from then on.
 * When it is missing, the asset is overdue since the deadline of the oldest partition in the
 * run of missing ones that ends with it: an asset never materialised is overdue since the first
 * deadline after its first partition ended. Nothing is due before that first deadline.
 *
 * @example
 * evaluateFreshness(
 *   { kind: "deadline", deadline: "0 7 * * *", timezone: "Europe/Paris" },
 *   dailyPartitions({ start: "2024-08-01" }),
 *   { materialized: IntervalSet.EMPTY, lastMaterializedAt: undefined },
 *   new Date("2024-08-03T06:00:00Z"), // 08:00 in Paris
 * ) // { state: "overdue", since: 2024-08-02T05:00Z, partitionKey: "2024-08-01", missing: 2, … }
 */
export function evaluateFreshness(
  policy: FreshnessPolicy,
  partitions: PartitionsDefinition | undefined,
  facts: FreshnessFacts,
  now: Date,
): FreshnessEvaluation {
  if (policy.kind === "max-lag") return evaluateMaxLag(policy.maxLagMs, facts, now);
  if (partitions?.kind !== "daily") {
    // Definitions reject this combination; a stray call has nothing to wait for.
    return { state: "fresh", lagSeconds: null };
  }
  const cron = deadlineCron(policy.deadline, policy.timezone);
  const deadline = cron.latestAtOrBefore(now);
  if (!deadline) return { state: "fresh", lagSeconds: 0 };
  // The last partition that ended at or before the deadline: the one before the deadline's day.
  const expected = dayOf(partitions.timezone, deadline) - 1;
  if (expected < partitions.startDay) return { state: "fresh", lagSeconds: 0, deadline };
  const done = facts.materialized.intersect(
    IntervalSet.fromRange(partitions.startDay, expected + 1),
  );
  if (done.last === expected) return { state: "fresh", lagSeconds: 0, deadline };
  const oldestMissing = done.last === undefined ? partitions.startDay : done.last + 1;
  const end = dayStart(oldestMissing + 1, partitions.timezone);
  // The first deadline at or after the partition's end (D itself at the latest).
  const since = cron.firstAtOrAfter(end) ?? deadline;
  return {
    state: "overdue",
    since,
    partitionKey: partitionKey(partitions, oldestMissing),
    missing: expected - oldestMissing + 1,
    lagSeconds: secondsBetween(since, now),
    deadline,
  };
}

function evaluateMaxLag(maxLagMs: number, facts: FreshnessFacts, now: Date): FreshnessEvaluation {
  const last = facts.lastMaterializedAt;
  if (!last) return { state: "overdue", since: null, lagSeconds: null };
  const lagSeconds = secondsBetween(last, now);
  const due = new Date(last.getTime() + maxLagMs);
  // Exactly maxLag old is still fresh: "at most maxLag old".
  return now.getTime() > due.getTime()
    ? { state: "overdue", since: due, lagSeconds }
    : { state: "fresh", lagSeconds };
}

/**
 * A deadline's instants, memoised: parsing a cron expression and walking it cost about a
 * millisecond each, and an estate of thousands of assets shares a handful of deadlines
 * evaluated at one `now` (the API, `lignee status`, each scheduler evaluation).
 */
interface DeadlineCron {
  /** The newest instant at or before `now` (cron works in whole seconds). */
  latestAtOrBefore(now: Date): Date | undefined;
  /** The first instant at or after `at`. */
  firstAtOrAfter(at: Date): Date | undefined;
}

const MEMO_LIMIT = 1_000;
const days = new Map<string, number>();
const starts = new Map<string, Date>();

/** `dayIn`, memoised: luxon's zone arithmetic costs ~0.1 ms a call, per asset of an estate. */
function dayOf(timezone: string, instant: Date): number {
  return remember(days, `${timezone}\u0000${instant.getTime()}`, () => dayIn(timezone, instant));
}

/** `startOfDay`, memoised likewise. */
function dayStart(day: number, timezone: string): Date {
  return remember(starts, `${timezone}\u0000${day}`, () => startOfDay(day, timezone));
}

function remember<K, T>(memo: Map<K, T>, key: K, compute: () => T): T {
  if (memo.has(key)) return memo.get(key) as T;
  if (memo.size >= MEMO_LIMIT) memo.clear();
  const value = compute();
  memo.set(key, value);
  return value;
}
const deadlineCrons = new Map<string, DeadlineCron>();

function deadlineCron(expression: string, timezone: string): DeadlineCron {
  const key = `${timezone}\u0000${expression}`;
  let found = deadlineCrons.get(key);
  if (!found) {
    if (deadlineCrons.size >= MEMO_LIMIT) deadlineCrons.clear();
    found = memoised(parseCron(expression, timezone));
    deadlineCrons.set(key, found);
  }
  return found;
}

function memoised(cron: CronSchedule): DeadlineCron {
  const latest = new Map<number, Date | undefined>();
  const first = new Map<number, Date | undefined>();
  return {
    latestAtOrBefore: (now) =>
      remember(latest, now.getTime(), () => {
        const candidate = cron.previous(new Date(now.getTime() + 1_000), 1)[0];
        if (!candidate || candidate.getTime() <= now.getTime()) return candidate;
        return cron.previous(candidate, 1)[0];
      }),
    firstAtOrAfter: (at) =>
      remember(first, at.getTime(), () => cron.next(new Date(at.getTime() - 1))),
  };
}

function secondsBetween(from: Date, to: Date): number {
  return Math.max(0, (to.getTime() - from.getTime()) / 1000);
}
