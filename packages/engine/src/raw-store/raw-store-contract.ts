import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RawObject, type RawStore, RawStoreError } from "../definitions/raw-store";

/** A store to run the contract against, on an empty location it alone uses. */
export interface RawStoreUnderTest {
  readonly store: RawStore;
  /** Another store on the same location, as a second worker opens it. */
  openAgain(): RawStore;
  /** Removes what the store left (its folder, its server); after the store is closed. */
  cleanup?(): Promise<void>;
}

const KIB = 1024;
const MIB = 1024 * KIB;

/**
 * The raw store contract: what every implementation of `RawStore` must do (see its doc in
 * definitions/raw-store.ts), as a suite of tests against a real store. An implementation's test
 * file calls it with a factory (Dagster's `TestEventLogStorage`, subclassed per storage). The
 * bodies are large enough (20 MiB) to span several parts of a multipart upload.
 *
 * @example
 * rawStoreContract("FileRawStore", async () => {
 *   const dir = await mkdtemp(path.join(tmpdir(), "raw-"));
 *   return { store: new FileRawStore(dir), openAgain: () => new FileRawStore(dir) };
 * });
 */
export function rawStoreContract(name: string, open: () => Promise<RawStoreUnderTest>): void {
  describe(`${name} (raw store contract)`, () => {
    let underTest: RawStoreUnderTest;
    let store: RawStore;

    beforeAll(async () => {
      underTest = await open();
      store = underTest.store;
    });

    afterAll(async () => {
      await store?.close();
      await underTest?.cleanup?.();
    });

    it("writes a 20 MiB body streamed in chunks, and reads it back whole and by ranges", async () => {
      const body = patterned(20 * MIB, 64 * KIB, 1);
      const written = await store.write("round-trip/big.ndjson", body.chunks());
      expect(written).toMatchObject({ key: "round-trip/big.ndjson", size: 20 * MIB });
      const stat = await store.stat("round-trip/big.ndjson");
      expect(stat).toEqual(written);
      const read = await collect(store.read("round-trip/big.ndjson"));
      expect(read.size).toBe(20 * MIB);
      expect(read.sha256).toBe(body.sha256);
      // Streamed: many chunks, none of them the whole object.
      expect(read.chunks).toBeGreaterThan(1);
      expect(read.largestChunk).toBeLessThan(20 * MIB);
      // A range across the boundary of the first two 8 MiB parts.
      const across = await bytesOf(
        store.read("round-trip/big.ndjson", { start: 8 * MIB - 10, end: 8 * MIB + 10 }),
      );
      expect(across).toEqual(body.slice(8 * MIB - 10, 8 * MIB + 10));
      const tail = await bytesOf(store.read("round-trip/big.ndjson", { start: 20 * MIB - 3 }));
      expect(tail).toEqual(body.slice(20 * MIB - 3, 20 * MIB));
    });

    it("reads ranges: start, end, both, empty, past the end", async () => {
      await store.write("ranges/digits.txt", text("0123456789"));
      const range = async (start?: number, end?: number): Promise<string> =>
        (
          await bytesOf(
            store.read("ranges/digits.txt", {
              ...(start !== undefined ? { start } : {}),
              ...(end !== undefined ? { end } : {}),
            }),
          )
        ).toString("utf8");
      expect(await range()).toBe("0123456789");
      expect(await range(2, 5)).toBe("234");
      expect(await range(7)).toBe("789");
      expect(await range(undefined, 3)).toBe("012");
      expect(await range(0, 1)).toBe("0");
      expect(await range(5, 5)).toBe("");
      expect(await range(8, 100)).toBe("89");
      expect(await range(10)).toBe("");
      expect(await range(20)).toBe("");
    });

    it("writes and reads an empty object", async () => {
      const written = await store.write("empty/nothing.txt", new Uint8Array(0));
      expect(written.size).toBe(0);
      expect((await store.stat("empty/nothing.txt"))?.size).toBe(0);
      expect((await bytesOf(store.read("empty/nothing.txt"))).length).toBe(0);
    });

    it("lists in key order, by prefix, after startAfter, through several pages", async () => {
      // Punctuation sorts before digits and letters: a store that walks folders depth-first,
      // or sorts by anything but the whole key, gets this order wrong.
      const keys = [
        "list/a-1",
        "list/a.1",
        "list/a/1",
        "list/a/2",
        "list/a/b/1",
        "list/a0",
        "list/ab/1",
        "list/b",
        "list/c/1",
        "list/c/2",
        "list/c/3",
        "list/d",
        "list/e/f/g",
      ];
      for (const key of shuffled(keys)) await store.write(key, text(key));
      await store.write("lists/other", text("other"));
      await store.write("lis", text("lis"));
      const listed = async (prefix: string, startAfter?: string): Promise<string[]> =>
        (await all(store.list(prefix, startAfter !== undefined ? { startAfter } : {}))).map(
          (o) => o.key,
        );
      expect(await listed("list/")).toEqual(keys);
      // A prefix is a prefix of keys, not a folder.
      expect(await listed("list/a")).toEqual(keys.slice(0, 7));
      expect(await listed("list/a/")).toEqual(["list/a/1", "list/a/2", "list/a/b/1"]);
      expect(await listed("list/c/")).toEqual(["list/c/1", "list/c/2", "list/c/3"]);
      expect(await listed("list/b")).toEqual(["list/b"]);
      expect(await listed("list/z")).toEqual([]);
      expect(await listed("nothing/")).toEqual([]);
      expect(await listed("list/", "list/a0")).toEqual(keys.slice(6));
      expect(await listed("list/", "list/a/")).toEqual(keys.slice(2));
      expect(await listed("list/", "list/e/f/g")).toEqual([]);
      expect(await listed("list/c/", "list/c/1")).toEqual(["list/c/2", "list/c/3"]);
      const root = await listed("");
      expect(root).toEqual([...root].sort(byKey));
      expect(root).toEqual(expect.arrayContaining([...keys, "lists/other", "lis"]));
      const objects = await all(store.list("list/c/"));
      for (const object of objects) {
        expect(object.size).toBe(object.key.length);
        expect(object.etag).not.toBe("");
        expect(object.modifiedMs).toBeGreaterThan(0);
      }
    });

    it("leaves keys with a dot segment out of listings, though they can be read", async () => {
      await store.write("dots/visible", text("v"));
      await store.write("dots/.hidden", text("h"));
      await store.write("dots/.staging/part", text("p"));
      expect((await all(store.list("dots/"))).map((o) => o.key)).toEqual(["dots/visible"]);
      expect((await bytesOf(store.read("dots/.hidden"))).toString()).toBe("h");
    });

    it("shows nothing of a write in progress, and the whole object once it is done", async () => {
      await store.write("progress/replaced.ndjson", text("old content"));
      const gate = deferred();
      const produced = deferred();
      const body = patterned(17 * MIB, 256 * KIB, 2);
      const fresh = store.write("progress/fresh.ndjson", gated(body, 17 * MIB, produced, gate));
      const replaced = store.write(
        "progress/replaced.ndjson",
        gated(body, 17 * MIB, deferred(), gate),
      );
      // The whole body but its end has been handed over (on S3: parts being uploaded).
      await produced.promise;
      expect(await store.stat("progress/fresh.ndjson")).toBeUndefined();
      expect((await store.stat("progress/replaced.ndjson"))?.size).toBe("old content".length);
      expect((await bytesOf(store.read("progress/replaced.ndjson"))).toString()).toBe(
        "old content",
      );
      expect((await all(store.list("progress/"))).map((o) => o.key)).toEqual([
        "progress/replaced.ndjson",
      ]);
      await expect(bytesOf(store.read("progress/fresh.ndjson"))).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      gate.resolve();
      await Promise.all([fresh, replaced]);
      for (const key of ["progress/fresh.ndjson", "progress/replaced.ndjson"]) {
        expect((await collect(store.read(key))).sha256).toBe(body.sha256);
      }
      expect((await all(store.list("progress/"))).map((o) => o.key)).toEqual([
        "progress/fresh.ndjson",
        "progress/replaced.ndjson",
      ]);
    });

    for (const size of [4 * KIB, 10 * MIB]) {
      it(`ifAbsent: of two writers of a new key (${size / KIB} KiB each), one wins whole, the other gets ALREADY_EXISTS`, async () => {
        const key = `if-absent/${size}.ndjson`;
        const bodies = [patterned(size, 64 * KIB, 3), patterned(size, 64 * KIB, 4)];
        // Both bodies wait for each other before their last chunk: the writes overlap.
        const barrier = countdown(2);
        const results = await Promise.allSettled(
          bodies.map((body) =>
            store.write(
              key,
              beforeLast(body, () => barrier.arrive()),
              { ifAbsent: true },
            ),
          ),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r) => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(RawStoreError);
        expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({
          code: "ALREADY_EXISTS",
        });
        const winner = bodies[results.findIndex((r) => r.status === "fulfilled")]!;
        expect((await collect(store.read(key))).sha256).toBe(winner.sha256);
        expect((await store.stat(key))?.size).toBe(size);
      });
    }

    it("ifAbsent on an existing key writes nothing", async () => {
      await store.write("if-absent/existing", text("first"));
      const error = await store
        .write("if-absent/existing", text("second"), { ifAbsent: true })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "ALREADY_EXISTS" });
      expect((error as Error).message).toContain("if-absent/existing");
      expect((await bytesOf(store.read("if-absent/existing"))).toString()).toBe("first");
    });

    it("a write whose body fails midway leaves no object, and the previous one intact", async () => {
      await store.write("failing/existing", text("previous"));
      const broken = new Error("the source broke");
      for (const key of ["failing/existing", "failing/new"]) {
        const error = await store
          .write(key, failingAfter(patterned(20 * MIB, 64 * KIB, 5), 9 * MIB, broken))
          .catch((e: unknown) => e);
        expect(error === broken || (error as Error).cause === broken).toBe(true);
      }
      expect((await bytesOf(store.read("failing/existing"))).toString()).toBe("previous");
      expect(await store.stat("failing/new")).toBeUndefined();
      expect((await all(store.list("failing/"))).map((o) => o.key)).toEqual(["failing/existing"]);
    });

    it("a cancelled write rejects, leaves no object, and the previous one intact", async () => {
      await store.write("cancelled/existing", text("previous"));
      for (const key of ["cancelled/existing", "cancelled/new"]) {
        const controller = new AbortController();
        const produced = deferred();
        const body = patterned(20 * MIB, 64 * KIB, 6);
        const write = store.write(key, waitingAfter(body, 9 * MIB, produced, controller.signal), {
          signal: controller.signal,
        });
        await produced.promise;
        controller.abort();
        await expect(write).rejects.toThrow();
      }
      const already = new AbortController();
      already.abort();
      await expect(
        store.write("cancelled/never", text("x"), { signal: already.signal }),
      ).rejects.toThrow();
      expect((await bytesOf(store.read("cancelled/existing"))).toString()).toBe("previous");
      expect(await store.stat("cancelled/new")).toBeUndefined();
      expect(await store.stat("cancelled/never")).toBeUndefined();
      expect((await all(store.list("cancelled/"))).map((o) => o.key)).toEqual([
        "cancelled/existing",
      ]);
    });

    it("replaces an object: the etag changes with the content", async () => {
      const first = await store.write("replace/x", text("one"));
      const second = await store.write("replace/x", text("three"));
      expect(second.etag).not.toBe(first.etag);
      expect(await store.stat("replace/x")).toMatchObject({ size: 5, etag: second.etag });
      expect((await bytesOf(store.read("replace/x"))).toString()).toBe("three");
    });

    it("deletes on a condition: only the version it was given, never one written since", async () => {
      const first = await store.write("delete-if/x", text("first"));
      const second = await store.write("delete-if/x", text("second, longer"));
      expect(await store.delete("delete-if/x", { ifMatch: first.etag })).toBe(false);
      expect((await bytesOf(store.read("delete-if/x"))).toString()).toBe("second, longer");
      expect(await store.delete("delete-if/x", { ifMatch: second.etag })).toBe(true);
      expect(await store.stat("delete-if/x")).toBeUndefined();
      // Nothing there: nothing to keep (S3 answers a delete of no object as done).
      expect(await store.delete("delete-if/x", { ifMatch: second.etag })).toBe(true);
      expect(await store.delete("delete-if/x")).toBe(true);
    });

    it("deletes, idempotently", async () => {
      await store.write("delete/x", text("x"));
      await store.delete("delete/x");
      expect(await store.stat("delete/x")).toBeUndefined();
      await expect(bytesOf(store.read("delete/x"))).rejects.toMatchObject({ code: "NOT_FOUND" });
      await store.delete("delete/x");
      await store.delete("delete/never-written");
      expect(await all(store.list("delete/"))).toEqual([]);
    });

    it("carries modifiedMs over to stat, to the millisecond; without it, records about now, as a listing does", async () => {
      // Whole seconds and odd milliseconds: a time stored in floating-point seconds can come
      // back a millisecond short.
      const times = [Date.UTC(2024, 7, 1, 22, 0, 0), 1_722_549_600_123, 1_733_491_234_567];
      for (let i = 0; i < 12; i++) times.push(1_700_000_000_000 + i * 86_400_001 + 7 * i);
      for (const [i, when] of times.entries()) {
        const written = await store.write(`modified/carried-${i}`, text("x"), { modifiedMs: when });
        expect(written.modifiedMs).toBe(when);
        expect((await store.stat(`modified/carried-${i}`))?.modifiedMs).toBe(when);
      }
      const before = Date.now();
      const written = await store.write("modified/now", text("x"));
      const after = Date.now();
      const now = (await store.stat("modified/now"))!.modifiedMs;
      expect(written.modifiedMs).toBe(now);
      const listed = (await all(store.list("modified/now"))).map((o) => o.modifiedMs);
      expect(listed).toEqual([now]);
      // Clocks of a store and of this process may differ by a little; no more than this.
      expect(now).toBeGreaterThanOrEqual(before - 5000);
      expect(now).toBeLessThanOrEqual(after + 5000);
    });

    it("NOT_FOUND on reading a missing key; stat says undefined", async () => {
      const error = await bytesOf(store.read("missing/nothing-here")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RawStoreError);
      expect(error).toMatchObject({ code: "NOT_FOUND" });
      expect((error as Error).message).toContain("missing/nothing-here");
      expect(await store.stat("missing/nothing-here")).toBeUndefined();
    });

    it("refuses bad keys and prefixes with INVALID_KEY, writing nothing", async () => {
      const bad = ["", "/a", "a/", "a//b", "./a", "a/./b", "a/../b", "..", "a\\b", "a\0b"];
      bad.push("k".repeat(1025));
      for (const key of bad) {
        let consumed = false;
        const body = (async function* () {
          consumed = true;
          yield text("x");
        })();
        const refusals = [
          store.write(key, body),
          store.stat(key),
          bytesOf(store.read(key)),
          store.delete(key),
        ];
        for (const refusal of refusals)
          await expect(refusal).rejects.toMatchObject({ code: "INVALID_KEY" });
        expect(consumed).toBe(false);
      }
      for (const prefix of ["/a", "a//", "../a", "a/../"])
        await expect(all(store.list(prefix))).rejects.toMatchObject({ code: "INVALID_KEY" });
    });

    it("a second store on the same location sees the same objects", async () => {
      await store.write("shared/day.ndjson", text("shared"));
      const other = underTest.openAgain();
      try {
        expect(other.url).toBe(store.url);
        expect((await bytesOf(other.read("shared/day.ndjson"))).toString()).toBe("shared");
        await other.write("shared/other.ndjson", text("from the other"));
        expect((await all(store.list("shared/"))).map((o) => o.key)).toEqual([
          "shared/day.ndjson",
          "shared/other.ndjson",
        ]);
      } finally {
        await other.close();
      }
      expect(store.describe("shared/day.ndjson")).toContain("shared/day.ndjson");
    });
  });
}

/** Deterministic bytes (a xorshift stream), in chunks, with their hash. */
interface Patterned {
  readonly size: number;
  readonly sha256: string;
  chunks(): AsyncIterable<Uint8Array>;
  chunkList(): Uint8Array[];
  slice(start: number, end: number): Buffer;
}

function patterned(size: number, chunkSize: number, seed: number): Patterned {
  const bytes = Buffer.alloc(size);
  let x = seed * 2654435761 || 1;
  for (let i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes.writeInt32LE(x | 0, i);
  }
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  const chunkList = (): Uint8Array[] => {
    const list: Uint8Array[] = [];
    for (let i = 0; i < size; i += chunkSize) list.push(bytes.subarray(i, i + chunkSize));
    return list;
  };
  return {
    size,
    sha256,
    chunkList,
    slice: (start, end) => bytes.subarray(start, end),
    async *chunks() {
      for (const chunk of chunkList()) yield chunk;
    },
  };
}

/** Yields `body` up to `until` bytes, signals `produced`, waits for `gate`, yields the rest. */
async function* gated(
  body: Patterned,
  until: number,
  produced: Deferred,
  gate: Deferred,
): AsyncIterable<Uint8Array> {
  let sent = 0;
  for (const chunk of body.chunkList()) {
    if (sent + chunk.length > until - 1) {
      produced.resolve();
      await gate.promise;
    }
    sent += chunk.length;
    yield chunk;
  }
}

/** Yields `body`, calling `wait` before its last chunk. */
async function* beforeLast(body: Patterned, wait: () => Promise<void>): AsyncIterable<Uint8Array> {
  const chunks = body.chunkList();
  for (let i = 0; i < chunks.length; i++) {
    if (i === chunks.length - 1) await wait();
    yield chunks[i]!;
  }
}

/** Yields `body` up to `after` bytes, then throws `error`. */
async function* failingAfter(
  body: Patterned,
  after: number,
  error: Error,
): AsyncIterable<Uint8Array> {
  let sent = 0;
  for (const chunk of body.chunkList()) {
    if (sent >= after) throw error;
    sent += chunk.length;
    yield chunk;
  }
}

/**
 * Yields `body` up to `after` bytes, signals `produced`, then waits until `signal` aborts (as a
 * source that observes the same signal would) and throws its reason.
 */
async function* waitingAfter(
  body: Patterned,
  after: number,
  produced: Deferred,
  signal: AbortSignal,
): AsyncIterable<Uint8Array> {
  let sent = 0;
  for (const chunk of body.chunkList()) {
    if (sent >= after) {
      produced.resolve();
      await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
      throw signal.reason;
    }
    sent += chunk.length;
    yield chunk;
  }
}

interface Deferred {
  readonly promise: Promise<void>;
  resolve(): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** `arrive()` resolves once it has been called `n` times. */
function countdown(n: number): { arrive(): Promise<void> } {
  const all = deferred();
  let left = n;
  return {
    arrive() {
      left -= 1;
      if (left === 0) all.resolve();
      return all.promise;
    },
  };
}

async function collect(
  chunks: AsyncIterable<Uint8Array>,
): Promise<{ size: number; sha256: string; chunks: number; largestChunk: number }> {
  const hash = createHash("sha256");
  let size = 0;
  let count = 0;
  let largestChunk = 0;
  for await (const chunk of chunks) {
    hash.update(chunk);
    size += chunk.length;
    count += 1;
    largestChunk = Math.max(largestChunk, chunk.length);
  }
  return { size, sha256: hash.digest("hex"), chunks: count, largestChunk };
}

async function bytesOf(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const list: Uint8Array[] = [];
  for await (const chunk of chunks) list.push(chunk);
  return Buffer.concat(list);
}

async function all(objects: AsyncIterable<RawObject>): Promise<RawObject[]> {
  const list: RawObject[] = [];
  for await (const object of objects) list.push(object);
  return list;
}

function text(value: string): Uint8Array {
  return Buffer.from(value, "utf8");
}

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The same permutation every run (a store must not depend on the order of writes). */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = (i * 7 + 3) % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
