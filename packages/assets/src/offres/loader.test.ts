import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../tests/support/database";
import { Warehouse } from "../warehouse/warehouse";
import { OffresLoadError } from "./errors";
import { loadOffresDay, loadOffresLines } from "./loader";
import type { NumberedLine } from "./ndjson-lines";
import { OFFRES_MIGRATION } from "./table";

let warehouse: Warehouse;
let dir: string;

beforeAll(async () => {
  warehouse = new Warehouse(await createTestDatabase({ migrate: false }));
  dir = await mkdtemp(path.join(tmpdir(), "lignee-offres-"));
});

afterAll(async () => {
  await warehouse.close();
});

const offer = (id: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id,
    intitule: `Offre ${id}\tavec tabulation`,
    description: "ligne 1\nligne 2 \\ antislash",
    ...extra,
  });

async function file(name: string, lines: string[]): Promise<string> {
  const p = path.join(dir, name);
  await writeFile(p, `${lines.join("\n")}\n`);
  return p;
}

const ids = async (day: string): Promise<string[]> =>
  (
    await warehouse.pool.query<{ id: string }>(
      "SELECT id FROM raw.offres WHERE jour = $1 ORDER BY id",
      [day],
    )
  ).rows.map((r) => r.id);

describe("loadOffresDay", () => {
  it("loads every line as one offer and keeps the JSON intact", async () => {
    const f = await file("a.ndjson", [
      offer("A1"),
      offer("A2", { lieuTravail: { commune: "75111" } }),
      "",
      offer("A3"),
    ]);
    const stats = await loadOffresDay(warehouse, f, "2024-08-01");
    expect(stats.rows).toBe(3);
    expect(stats.bytes).toBeGreaterThan(0);
    expect(await ids("2024-08-01")).toEqual(["A1", "A2", "A3"]);
    const { rows } = await warehouse.pool.query(
      "SELECT data::jsonb->>'description' AS d, data::jsonb->>'intitule' AS t, data::jsonb#>>'{lieuTravail,commune}' AS c FROM raw.offres WHERE id = 'A2'",
    );
    expect(rows[0]).toEqual({
      d: "ligne 1\nligne 2 \\ antislash",
      t: "Offre A2\tavec tabulation",
      c: "75111",
    });
  });

  it("re-loading a day replaces it and leaves other days alone", async () => {
    await loadOffresDay(
      warehouse,
      await file("b1.ndjson", [offer("B1"), offer("B2")]),
      "2024-08-02",
    );
    await loadOffresDay(
      warehouse,
      await file("b2.ndjson", [offer("B2"), offer("B3"), offer("B4")]),
      "2024-08-02",
    );
    await loadOffresDay(
      warehouse,
      await file("b3.ndjson", [offer("B2"), offer("B3"), offer("B4")]),
      "2024-08-02",
    );
    expect(await ids("2024-08-02")).toEqual(["B2", "B3", "B4"]);
    expect(await ids("2024-08-01")).toEqual(["A1", "A2", "A3"]);
  });

  it("a line that is not an offer fails with its line number; the day keeps its previous rows", async () => {
    const f = await file("c.ndjson", [offer("C1"), offer("C2"), "not json at all", offer("C4")]);
    const error = await loadOffresDay(warehouse, f, "2024-08-02").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OffresLoadError);
    expect(error).toMatchObject({ code: "MALFORMED_LINE", line: 3 });
    // Named by its base name: the message reaches the run's error and the API.
    expect((error as Error).message).toMatch(/^c\.ndjson line 3: /);
    expect((error as Error).message).not.toContain(path.dirname(f));
    expect(error).toMatchObject({ file: f, retryable: false });
    expect(await ids("2024-08-02")).toEqual(["B2", "B3", "B4"]);
  });

  it("invalid JSON after a valid id is reported at the right line, blank lines counted", async () => {
    const f = await file("d.ndjson", [
      offer("D1"),
      "",
      offer("D2"),
      '{"id":"D3", "broken": }',
      offer("D5"),
    ]);
    const error = await loadOffresDay(warehouse, f, "2024-08-02").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MALFORMED_LINE", line: 4, retryable: false });
    expect((error as Error).message).toMatch(/^d\.ndjson line 4: invalid JSON/);
    expect(await ids("2024-08-02")).toEqual(["B2", "B3", "B4"]);
  });

  it("a load interrupted midway leaves the previous rows intact", async () => {
    const many = Array.from({ length: 20_000 }, (_, i) =>
      offer(`E${i}`, { padding: "x".repeat(200) }),
    );
    const f = await file("e.ndjson", many);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("crash")), 30);
    const error = await loadOffresDay(warehouse, f, "2024-08-02", {
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await ids("2024-08-02")).toEqual(["B2", "B3", "B4"]);
    const done = await loadOffresDay(warehouse, f, "2024-08-02");
    expect(done.rows).toBe(20_000);
  });

  it("a duplicate id in a file fails the load", async () => {
    const f = await file("f.ndjson", [offer("F1"), offer("F1")]);
    await expect(loadOffresDay(warehouse, f, "2024-08-03")).rejects.toMatchObject({
      code: "LOAD_FAILED",
    });
    expect(await ids("2024-08-03")).toEqual([]);
  });

  it("a row PostgreSQL rejects is reported at its line, blank lines counted", async () => {
    // Valid JSON, but a NUL character in a field is no text PostgreSQL can store.
    const f = await file("g.ndjson", [
      offer("G1"),
      "",
      offer("G2"),
      offer("G3", { intitule: "nul \u0000 ici" }),
      offer("G4"),
    ]);
    const before = await ids("2024-08-02");
    const error = await loadOffresDay(warehouse, f, "2024-08-02").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "LOAD_FAILED", line: 4 });
    expect((error as Error).message).toMatch(/^g\.ndjson line 4: .*0x00/);
    expect(await ids("2024-08-02")).toEqual(before);
  });

  it("skips lines of white space of any kind, as the lines of a collection are", async () => {
    const f = await file("w.ndjson", [offer("W1"), "\u00a0", "\ufeff \t", "\f\v", offer("W2")]);
    const loaded = await loadOffresDay(warehouse, f, "2024-08-05");
    expect(loaded.rows).toBe(2);
    expect(await ids("2024-08-05")).toEqual(["W1", "W2"]);
  });

  it("names a malformed line's fault by its position in characters, accents decoded", async () => {
    const f = await file("m.ndjson", [offer("M1"), '{"id":"M2","intitule":"Opérateur" oops}']);
    const error = await loadOffresDay(warehouse, f, "2024-08-05").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "MALFORMED_LINE", line: 2 });
    // The 35th character, as a reader counts them (the 36th byte).
    expect((error as Error).message).toContain("at position 34");
    expect((error as Error).message).toContain('"Opérateur');
  });

  it("a line that is not UTF-8 is reported at its line", async () => {
    const p = path.join(dir, "h.ndjson");
    const bad = Buffer.concat([
      Buffer.from('{"id":"H2","intitule":"caf'),
      Buffer.from([0xe9]), // é in Latin-1: no UTF-8 byte sequence
      Buffer.from('"}'),
    ]);
    await writeFile(p, Buffer.concat([Buffer.from(`${offer("H1")}\n`), bad, Buffer.from("\n")]));
    const before = await ids("2024-08-02");
    const error = await loadOffresDay(warehouse, p, "2024-08-02").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "LOAD_FAILED", line: 2 });
    expect((error as Error).message).toMatch(/^h\.ndjson line 2: .*UTF8/);
    expect(await ids("2024-08-02")).toEqual(before);
  });

  it("a missing file is a clear error", async () => {
    await expect(
      loadOffresDay(warehouse, path.join(dir, "none.ndjson"), "2024-08-04"),
    ).rejects.toMatchObject({
      code: "FILE_MISSING",
    });
  });
});

describe("loadOffresLines", () => {
  it("loads a day while another day's load is still open, and a run's resources start meanwhile", async () => {
    await loadOffresDay(warehouse, await file("warm.ndjson", [offer("W1")]), "2024-07-01");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A day whose lines are still arriving (a collection in progress): its transaction is open.
    async function* slowLines(): AsyncGenerator<NumberedLine> {
      yield { number: 1, text: offer("S1") };
      await held;
      yield { number: 2, text: offer("S2") };
    }
    const slow = loadOffresLines(warehouse, slowLines(), "2024-07-02", { source: "slow.ndjson" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const other = await Promise.race([
      (async () => {
        await warehouse.ensure(OFFRES_MIGRATION);
        return loadOffresDay(warehouse, await file("other.ndjson", [offer("O1")]), "2024-07-03");
      })(),
      new Promise<"blocked">((resolve) => setTimeout(() => resolve("blocked"), 10_000)),
    ]);
    release();
    expect(other).not.toBe("blocked");
    expect((await slow).rows).toBe(2);
    expect(await ids("2024-07-03")).toEqual(["O1"]);
    expect(await ids("2024-07-02")).toEqual(["S1", "S2"]);
  });
});
