import { readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { RawFilesRule } from "../definitions/maintenance";
import type { RawStore } from "../definitions/raw-store";
import { gzipFileAtomically } from "./compress-file";
import { gzipObject } from "./compress-object";
import { globRegExp } from "./glob";

const DAY_MS = 86_400_000;

/** A raw folder's files that match its pattern, plain and gzipped. */
export interface RawFolderUsage {
  readonly label: string;
  readonly pattern: string;
  readonly exists: boolean;
  readonly files: number;
  readonly bytes: number;
  readonly compressedFiles: number;
  readonly compressedBytes: number;
}

/** What compressing a folder did, or would do in a dry run. */
export interface RawFolderCompression {
  readonly label: string;
  readonly compressAfterDays: number;
  /** Files old enough: compressed (or, in a dry run, to compress). */
  readonly files: number;
  readonly bytesBefore: number;
  /** Their compressed size (0 in a dry run: it is known once compressed). */
  readonly bytesAfter: number;
  /** Files left alone, with why (changed while compressed…). */
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
}

interface MatchingFile {
  readonly name: string;
  readonly file: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly compressed: boolean;
}

/**
 * The files of a rule's folder that match its pattern, plain and gzipped, by name; undefined
 * when a folder of this machine does not exist. `store`: the rule's store, for a store's folder.
 */
async function matchingFiles(
  rule: RawFilesRule,
  store?: RawStore,
): Promise<MatchingFile[] | undefined> {
  if (store) return matchingObjects(rule, store);
  const plain = globRegExp(rule.pattern);
  const gzipped = globRegExp(`${rule.pattern}.gz`);
  let names: string[];
  try {
    names = await readdir(rule.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const files: MatchingFile[] = [];
  for (const name of names.sort()) {
    const compressed = gzipped.test(name);
    if (!compressed && !plain.test(name)) continue;
    const file = path.join(rule.dir, name);
    try {
      const s = await stat(file);
      if (s.isFile()) files.push({ name, file, size: s.size, mtimeMs: s.mtimeMs, compressed });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return files;
}

/** The objects of a store's folder (`rule.prefix`, not below it) that match the pattern. */
async function matchingObjects(rule: RawFilesRule, store: RawStore): Promise<MatchingFile[]> {
  const plain = globRegExp(rule.pattern);
  const gzipped = globRegExp(`${rule.pattern}.gz`);
  const files: MatchingFile[] = [];
  const prefix = rule.prefix ?? "";
  for await (const object of store.list(prefix)) {
    const name = object.key.slice(prefix.length);
    if (name.includes("/")) continue;
    const compressed = gzipped.test(name);
    if (!compressed && !plain.test(name)) continue;
    files.push({
      name,
      file: object.key,
      size: object.size,
      mtimeMs: object.modifiedMs,
      compressed,
    });
  }
  return files;
}

/** The rule's store, for `use`, closed after; none for a folder of this machine. */
async function withStore<T>(
  rule: RawFilesRule,
  use: (store: RawStore | undefined) => Promise<T>,
): Promise<T> {
  const store = rule.store?.();
  try {
    return await use(store);
  } finally {
    await store?.close();
  }
}

/** Files and bytes of a raw folder, compressed or not. */
export async function rawFolderUsage(rule: RawFilesRule): Promise<RawFolderUsage> {
  const files = await withStore(rule, (store) => matchingFiles(rule, store));
  const plain = (files ?? []).filter((f) => !f.compressed);
  const gz = (files ?? []).filter((f) => f.compressed);
  return {
    label: rule.label,
    pattern: rule.pattern,
    exists: files !== undefined,
    files: plain.length,
    bytes: sum(plain.map((f) => f.size)),
    compressedFiles: gz.length,
    compressedBytes: sum(gz.map((f) => f.size)),
  };
}

/**
 * Compresses the files of a raw folder last modified `compressAfterDays` ago or more (a file
 * being written now, or rewritten lately, is younger: it is left alone). A dry run lists them
 * and changes nothing.
 */
export async function compressRawFolder(
  rule: RawFilesRule,
  options: { now: Date; dryRun: boolean; signal?: AbortSignal; log?: (line: string) => void },
): Promise<RawFolderCompression> {
  return withStore(rule, (store) => compressFolder(rule, store, options));
}

async function compressFolder(
  rule: RawFilesRule,
  store: RawStore | undefined,
  options: { now: Date; dryRun: boolean; signal?: AbortSignal; log?: (line: string) => void },
): Promise<RawFolderCompression> {
  const cutoff = options.now.getTime() - rule.compressAfterDays * DAY_MS;
  // Temporaries of this machine's folders; a store's own (a folder store's dot files, an S3
  // upload never completed) are not listed, and are left to the store (a bucket's lifecycle).
  if (!options.dryRun && !store) await removeStaleTemporaries(rule, options.now);
  const old = (await matchingFiles(rule, store))?.filter(
    (f) => !f.compressed && f.mtimeMs <= cutoff,
  );
  const result = {
    label: rule.label,
    compressAfterDays: rule.compressAfterDays,
    files: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    skipped: [] as { file: string; reason: string }[],
  };
  for (const f of old ?? []) {
    options.signal?.throwIfAborted();
    if (options.dryRun) {
      result.files++;
      result.bytesBefore += f.size;
      continue;
    }
    const signal = options.signal ? { signal: options.signal } : {};
    const outcome = store
      ? await gzipObject(store, f.file, signal)
      : await gzipFileAtomically(f.file, signal);
    if (!outcome.compressed) {
      result.skipped.push({ file: f.name, reason: outcome.reason });
      continue;
    }
    result.files++;
    result.bytesBefore += outcome.bytesBefore;
    result.bytesAfter += outcome.bytesAfter;
    options.log?.(
      `${rule.label}/${f.name}: ${outcome.bytesBefore} → ${outcome.bytesAfter} bytes (${(outcome.bytesBefore / Math.max(1, outcome.bytesAfter)).toFixed(1)}×)`,
    );
  }
  return result;
}

/**
 * Removes the temporary files a compression left behind when its process died (a day old at
 * least: none is being written any more).
 */
async function removeStaleTemporaries(rule: RawFilesRule, now: Date): Promise<void> {
  const temporary = globRegExp(`${rule.pattern}.gz.*.tmp`);
  let names: string[];
  try {
    names = await readdir(rule.dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const name of names.filter((n) => temporary.test(n))) {
    const file = path.join(rule.dir, name);
    const s = await stat(file).catch(() => undefined);
    if (s && s.mtimeMs <= now.getTime() - DAY_MS) await rm(file, { force: true });
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
