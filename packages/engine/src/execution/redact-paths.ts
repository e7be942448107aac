import { readdirSync } from "node:fs";
import path from "node:path";

/**
 * Error messages and stack traces end up in run events, which the API serves: they must not
 * show how the machine is laid out (its users, its temporary or deployment folders). Paths
 * under the project (the working directory) are made relative to it, so that a stack still
 * points at `packages/assets/src/offres/loader.ts:52`; any other absolute path keeps only its
 * last segment (`…/offres-2024-08-01.ndjson`).
 */
export interface PathContext {
  /** Absolute directory that paths are made relative to. */
  readonly root: string;
  /**
   * Top-level directories of the machine (`tmp`, `home`…): only absolute paths starting with
   * one of them are redacted, so that URL paths in messages ("GET /api/runs") are left alone.
   */
  readonly topLevel: ReadonlySet<string>;
}

/** A quoted absolute path, which may hold spaces (`open '/home/Jane Doe/x.csv'`). */
const QUOTED = /(['"`])(file:\/\/)?(\/[^'"`\n]+)(?=\1)/g;
/** An absolute path (or file:// URL) after a boundary; it ends at a space, quote, bracket or `:line`. */
const ABSOLUTE = /(^|[\s("'`[=,])(file:\/\/)?(\/[^\s"'`()[\]:,]+)/g;

export function redactPaths(text: string, context: PathContext): string {
  // A working directory of "/" is no project: every path is shown by its last segment.
  const root =
    context.root === "/"
      ? undefined
      : context.root.endsWith("/")
        ? context.root
        : `${context.root}/`;
  const redact = (match: string, before: string, _url: string | undefined, p: string): string => {
    const first = p.split("/")[1] ?? "";
    if (!context.topLevel.has(first)) return match;
    if (root !== undefined && p.startsWith(root)) return before + p.slice(root.length);
    if (root !== undefined && `${p}/` === root) return `${before}.`;
    return `${before}…/${path.posix.basename(p)}`;
  };
  return text.replace(QUOTED, redact).replace(ABSOLUTE, redact);
}

let current: PathContext | undefined;

/** This process's context: its working directory and the root directories of this machine. */
export function processPathContext(): PathContext {
  if (!current) {
    let topLevel: string[];
    try {
      topLevel = readdirSync("/");
    } catch {
      topLevel = ["home", "root", "tmp", "usr", "var", "opt", "srv", "mnt", "app", "work"];
    }
    current = { root: process.cwd(), topLevel: new Set(topLevel) };
  }
  return current;
}

/** `redactPaths` with this process's context. */
export function redactMachinePaths(text: string): string {
  return redactPaths(text, processPathContext());
}
