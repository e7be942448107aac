import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  fileVersion,
  filesToLoad,
  listOffresFiles,
  parseRawFilesCursor,
  type RawOffresFile,
} from "./raw-files";

const f = (day: string, mtimeMs = 1000, size = 10): RawOffresFile => ({
  day,
  file: `/data/raw/offres/offres-${day}.ndjson`,
  compressed: false,
  mtimeMs,
  size,
});
const nothing = { loaded: () => undefined, collecting: () => false };

describe("listOffresFiles", () => {
  it("lists the day files, sorted, ignoring temporary and other files", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "lignee-raw-"));
    expect(await listOffresFiles(dataDir)).toEqual([]);
    const dir = path.join(dataDir, "raw", "offres");
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, "offres-2024-08-02.ndjson"), "{}\n");
    await writeFile(path.join(dir, "offres-2024-08-01.ndjson"), "{}\n{}\n");
    await writeFile(path.join(dir, ".offres-2024-08-03.ndjson.123-abcd.tmp"), "");
    await writeFile(path.join(dir, "notes.txt"), "");
    await mkdir(path.join(dir, "offres-2024-08-04.ndjson"));
    const files = await listOffresFiles(dataDir);
    expect(files.map((x) => [x.day, x.size])).toEqual([
      ["2024-08-01", 6],
      ["2024-08-02", 3],
    ]);
  });
});

describe("filesToLoad", () => {
  it("loads new and changed files once", () => {
    const first = filesToLoad([f("2024-08-01"), f("2024-08-02")], {}, nothing);
    expect(first.load.map((x) => x.day)).toEqual(["2024-08-01", "2024-08-02"]);
    expect(first.cursor).toEqual({ "2024-08-01": "1000:10", "2024-08-02": "1000:10" });

    const unchanged = filesToLoad([f("2024-08-01"), f("2024-08-02")], first.cursor, nothing);
    expect(unchanged.load).toEqual([]);
    expect(unchanged.cursor).toEqual(first.cursor);

    const changed = filesToLoad(
      [f("2024-08-01", 2000, 12), f("2024-08-02")],
      first.cursor,
      nothing,
    );
    expect(changed.load.map((x) => x.day)).toEqual(["2024-08-01"]);
    expect(changed.cursor["2024-08-01"]).toBe("2000:12");
  });

  it("skips a file whose very version was loaded by the run that collected it", () => {
    const r = filesToLoad(
      [f("2024-08-01"), f("2024-08-02")],
      {},
      {
        loaded: (day) => ({ version: day === "2024-08-01" ? "1000:10" : "999:10", at: 5000 }),
        collecting: () => false,
      },
    );
    expect(r.load.map((x) => x.day)).toEqual(["2024-08-02"]);
    expect(r.cursor).toEqual({ "2024-08-01": "1000:10", "2024-08-02": "1000:10" });
  });

  it("takes a file first seen as loaded when its day was loaded after it was written, without a version", () => {
    const state = { loaded: () => ({ at: 1500 }), collecting: () => false };
    // Loaded (at 1500) after the file was last modified (1000): already in the warehouse.
    const first = filesToLoad([f("2024-08-01", 1000), f("2024-08-02", 2000)], {}, state);
    expect(first.load.map((x) => x.day)).toEqual(["2024-08-02"]);
    // Once seen, a change is loaded whatever the history says.
    const changed = filesToLoad([f("2024-08-01", 1200, 11)], first.cursor, state);
    expect(changed.load.map((x) => x.day)).toEqual(["2024-08-01"]);
  });

  it("waits for a day being collected, keeping its previous cursor entry", () => {
    const r = filesToLoad(
      [f("2024-08-01", 3000), f("2024-08-02")],
      { "2024-08-01": "1000:10" },
      {
        loaded: () => undefined,
        collecting: (day) => day === "2024-08-01",
      },
    );
    expect(r.load.map((x) => x.day)).toEqual(["2024-08-02"]);
    expect(r.cursor).toEqual({ "2024-08-01": "1000:10", "2024-08-02": "1000:10" });
  });

  it("leaves a file whose day is not a partition yet for later, without moving its cursor", () => {
    const today = f("2026-11-21");
    const now = filesToLoad([today], {}, { ...nothing, isPartition: (d) => d < "2026-11-21" });
    expect(now).toEqual({ load: [], cursor: {} });
    const tomorrow = filesToLoad([today], now.cursor, { ...nothing, isPartition: () => true });
    expect(tomorrow.load.map((x) => x.day)).toEqual(["2026-11-21"]);
  });

  it("forgets removed files, so that one coming back is loaded again", () => {
    const r = filesToLoad([], { "2024-08-01": "1000:10" }, nothing);
    expect(r.cursor).toEqual({});
  });
});

describe("cursor and versions", () => {
  it("reads a cursor, ignoring what is not one", () => {
    expect(parseRawFilesCursor(null)).toEqual({});
    expect(parseRawFilesCursor("not json")).toEqual({});
    expect(parseRawFilesCursor("[1]")).toEqual({});
    expect(parseRawFilesCursor('{"2024-08-01":"1:2","x":3}')).toEqual({ "2024-08-01": "1:2" });
    expect(fileVersion({ mtimeMs: 1722556800123.456, size: 42 })).toBe("1722556800123:42");
  });
});
