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
