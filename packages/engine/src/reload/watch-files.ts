import { statSync, watch, type FSWatcher } from "node:fs";
import path from "node:path";

export interface FileWatch {
  /** Watches these files and folders instead (the definitions' after a reload). */
  update(paths: readonly string[]): void;
  /**
   * While on, any change in the watched files' folders counts, not only of the files named: after
   * a load that failed, the file it was missing may be created next to them.
   */
  setLoose(on: boolean): void;
  close(): void;
}

/**
 * Calls `onChange` once the given files and folders (folders with everything under them) have
 * stopped changing for `debounceMs` after a change: an editor's save (often a write to a new file
 * renamed over the old one) or a checkout of many files is one change. Files are watched
 * through their folders, so that a file replaced or created anew is still seen.
 *
 * @example
 * const watcher = watchFiles(loaded.files, () => void definitions.reload());
 */
export function watchFiles(
  paths: readonly string[],
  onChange: () => void,
  options: { debounceMs?: number; log?: (message: string) => void } = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 200;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let loose = false;
  const changed = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const watchOne = (target: string, recursive: boolean, names?: ReadonlySet<string>): void => {
    try {
      const w = watch(target, { persistent: false, recursive }, (_event, name) => {
        // Without a name (some platforms), any change counts.
        if (!names || loose || name === null || names.has(name.toString())) changed();
      });
      w.on("error", (error) => options.log?.(`watching ${target}: ${error.message}`));
      watchers.push(w);
    } catch (error) {
      options.log?.(`cannot watch ${target}: ${(error as Error).message}`);
    }
  };
  const start = (list: readonly string[]): void => {
    const byFolder = new Map<string, Set<string>>();
    for (const p of new Set(list)) {
      if (isDirectory(p)) {
        watchOne(p, true);
        continue;
      }
      const names = byFolder.get(path.dirname(p)) ?? new Set<string>();
      names.add(path.basename(p));
      byFolder.set(path.dirname(p), names);
    }
    for (const [folder, names] of byFolder) watchOne(folder, false, names);
  };
  start(paths);
  return {
    update(list) {
      if (closed) return;
      for (const w of watchers) w.close();
      watchers = [];
      start(list);
    },
    setLoose(on) {
      loose = on;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}
