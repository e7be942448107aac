import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { inTransaction } from "../transaction";
import { recordAlertEvent } from "./record-alert-event";

let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 3 });
});

afterAll(async () => {
  await pool.end();
});

const event = {
  kind: "run_failed",
  dedupeKey: "run_failed:r1",
  subject: "Run r1 failed",
  payload: { runId: "r1" },
} as const;

it("records a fact once however many times it is decided, even at the same moment", async () => {
  const written = await Promise.all([1, 2, 3].map(() => recordAlertEvent(pool, event)));
  expect(written.filter(Boolean)).toHaveLength(1);
  const rows = await pool.query(`SELECT kind, subject, payload FROM lignee.alert_events`);
  expect(rows.rows).toEqual([
    { kind: "run_failed", subject: "Run r1 failed", payload: { runId: "r1" } },
  ]);
});

it("commits with the fact's transaction, or not at all", async () => {
  await expect(
    inTransaction(pool, "alert test", async (client) => {
      await recordAlertEvent(client, { ...event, dedupeKey: "run_failed:r2" });
      throw new Error("the fact failed to commit");
    }),
  ).rejects.toThrow("the fact failed to commit");
  const rows = await pool.query(
    `SELECT 1 FROM lignee.alert_events WHERE dedupe_key = 'run_failed:r2'`,
  );
  expect(rows.rowCount).toBe(0);
});
