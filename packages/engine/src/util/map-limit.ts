/**
 * `tasks` run with at most `limit` in flight at once; their results in the tasks' order. The
 * first rejection rejects the whole, once the tasks already started have settled (none is
 * left running behind the caller's back); the tasks not started by then are not started.
 *
 * @example
 * const sizes = await mapLimit(files.map((f) => () => stat(f).then((s) => s.size)), 4);
 */
export async function mapLimit<T>(
  tasks: readonly (() => Promise<T>)[],
  limit: number,
): Promise<T[]> {
  if (!(limit >= 1)) throw new RangeError(`limit must be ≥ 1, got ${limit}`);
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < tasks.length) {
      const i = next++;
      try {
        results[i] = await tasks[i]!();
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, lane));
  if (failure) throw failure.error;
  return results;
}
