/**
 * Cutting a creation-time window into parts. The API takes dates to the second, so parts
 * start and end on whole seconds and a window of one second cannot be cut further.
 */

const SECOND = 1000;

/** How many parts a window with `total` results needs so that each holds about `target`. */
export function partsFor(total: number, target: number): number {
  return Math.max(2, Math.ceil(total / target));
}

/**
 * `parts` consecutive windows covering [startMs, endMs) exactly, of (nearly) equal length in
 * whole seconds; fewer when the window has fewer seconds than `parts`.
 *
 * @example
 * splitTimeWindow(0, 10_000, 3) // [[0, 3000], [3000, 7000], [7000, 10000]]
 */
export function splitTimeWindow(
  startMs: number,
  endMs: number,
  parts: number,
): Array<readonly [number, number]> {
  if (startMs % SECOND !== 0 || endMs % SECOND !== 0 || endMs <= startMs) {
    throw new RangeError(`window [${startMs}, ${endMs}) must span whole seconds`);
  }
  const seconds = (endMs - startMs) / SECOND;
  const k = Math.max(1, Math.min(Math.floor(parts), seconds));
  const windows: Array<readonly [number, number]> = [];
  let previous = startMs;
  for (let i = 1; i <= k; i++) {
    const next = startMs + Math.round((i * seconds) / k) * SECOND;
    windows.push([previous, next]);
    previous = next;
  }
  return windows;
}

/**
 * `parts` consecutive windows covering [startMs, endMs) exactly, each expected to hold as many
 * results as the others if the results fall over the window as `profile` says: the seconds
 * after its start at which the results of a comparable window (the offers of an earlier day)
 * fell, sorted. The cuts are the profile's quantiles, on whole seconds. Offers are published
 * mostly in office hours: cut evenly in time, the windows of the morning hold several times
 * what those of the night do, overflow and are cut again, one wasted probe each. Without a
 * profile of at least `MIN_PROFILE_PER_PART` results a part, the cut is even in time.
 *
 * @example
 * splitByProfile(0, 10_000, 2, [1, 1, 2, 2, …]) // the cut falls where half the profile is
 */
export function splitByProfile(
  startMs: number,
  endMs: number,
  parts: number,
  profile: readonly number[],
): Array<readonly [number, number]> {
  const even = splitTimeWindow(startMs, endMs, parts);
  if (profile.length < even.length * MIN_PROFILE_PER_PART) return even;
  const cuts: number[] = [];
  for (let i = 1; i < even.length; i++) {
    const second = Math.round(profile[Math.floor((i * profile.length) / even.length)]!);
    const cut = startMs + second * SECOND;
    if (cut > (cuts.at(-1) ?? startMs) && cut < endMs) cuts.push(cut);
  }
  const bounds = [startMs, ...cuts, endMs];
  return bounds.slice(1).map((end, i) => [bounds[i]!, end] as const);
}

/** Fewer results than this per part: the profile says too little, the cut is even in time. */
const MIN_PROFILE_PER_PART = 20;
