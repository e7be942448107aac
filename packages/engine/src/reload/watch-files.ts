import { watch, type FSWatcher } from "node:fs";
import path from "node:path";

export interface FileWatch {
  /** Watches these files instead (the definitions' files after a reload). */
  update(files: readonly string[]): void;
  close(): void;
}

/**
 * Calls `onChange` once the given files have stopped changing for `debounceMs` after a change:
 * an editor's save (often a write to a new file renamed over the old one) or a checkout of many
 * files is one change. Watches the files' folders, so that a file replaced or created anew is
 * still seen.
 *
 * @example
 * const watcher = watchFiles(loaded.files, () => void definitions.reload());
 */
export function watchFiles(
  files: readonly string[],
  onChange: () => void,
  options: { debounceMs?: number; log?: (message: string) => void } = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 200;
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const changed = (): void => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const start = (list: readonly string[]): void => {
    const byFolder = new Map<string, Set<string>>();
    for (const f of list) {
      const names = byFolder.get(path.dirname(f)) ?? new Set<string>();
      names.add(path.basename(f));
      byFolder.set(path.dirname(f), names);
    }
    watchers = [...byFolder].flatMap(([folder, names]) => {
      try {
        const w = watch(folder, { persistent: false }, (_event, name) => {
          // Without a name (some platforms), any change in the folder counts.
          if (name === null || names.has(name.toString())) changed();
        });
        w.on("error", (error) => options.log?.(`watching ${folder}: ${error.message}`));
        return [w];
      } catch (error) {
        options.log?.(`cannot watch ${folder}: ${(error as Error).message}`);
        return [];
      }
    });
  };
  start(files);
  return {
    update(list) {
      if (closed) return;
      for (const w of watchers) w.close();
      start(list);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      watchers = [];
    },
  };
}
