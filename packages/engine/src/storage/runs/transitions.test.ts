import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../../../tests/support/database";
import { inTransaction } from "../transaction";
import type { RunStatus } from "../storage";
import { cancelQueuedRuns } from "./cancel-queued";
import { claimRun } from "./claim";
import { enqueueRun } from "./enqueue";
import { failRun } from "./fail";
import { finishRun } from "./finish";
import { heartbeatRun } from "./heartbeat";
import { reapExpiredRuns } from "./reap";
import { releaseRun } from "./release";
import { requestCancelRuns } from "./request-cancel";
import { startRun } from "./start";
import { isAllowed, RUN_TRANSITIONS, type RunOperation } from "./transitions";

/**
 * The transition table against the database: a run is put in each status, each operation is
 * tried on it, and the operation applies exactly when the table lists it, with the status the
 * table says.
 */
const STATUSES: readonly RunStatus[] = ["QUEUED", "STARTED", "SUCCESS", "FAILURE", "CANCELED"];
const WORKER = "w";
const unlimited = { maxConcurrentRuns: 100, pools: {} };

let pool: pg.Pool;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 2 });
});

beforeEach(async () => {
  await pool.query("DELETE FROM lignee.runs");
});

afterAll(async () => {
  await pool.end();
});

interface Setup {
  readonly leaseExpired?: boolean;
  readonly attempt?: number;
  readonly maxAttempts?: number;
  readonly cancelRequested?: boolean;
}

/** One way to try an operation, and the status it leads to when it applies. */
interface Attempt {
  readonly operation: RunOperation;
  readonly to: RunStatus;
  readonly setup?: Setup;
  /** Resolves to whether the operation says it applied. */
  readonly apply: (id: string) => Promise<boolean>;
}

const outcome = (to: "SUCCESS" | "FAILURE" | "CANCELED"): Attempt => ({
  operation: "finish",
  to,
  apply: (id) => finishRun(pool, id, to, undefined, { workerId: WORKER }),
});

const ATTEMPTS: readonly Attempt[] = [
  {
    operation: "claim",
    to: "STARTED",
    apply: async (id) =>
      (
        await inTransaction(pool, "test", (tx) =>
          claimRun(tx, {
            workerId: "other",
            leaseMs: 60_000,
            limits: unlimited,
            hostname: "h",
            pid: 1,
          }),
        )
      )?.id === id,
  },
  {
    operation: "heartbeat",
    to: "STARTED",
    apply: async (id) => (await heartbeatRun(pool, id, WORKER, 60_000)).held,
  },
  {
    operation: "requestCancel",
    to: "STARTED",
    apply: async (id) => (await requestCancelRuns(pool, { runId: id })) > 0,
  },
  outcome("SUCCESS"),
  outcome("FAILURE"),
  outcome("CANCELED"),
  { operation: "fail", to: "FAILURE", apply: (id) => failRun(pool, id, "gone") },
  {
    operation: "cancelQueued",
    to: "CANCELED",
    apply: async (id) =>
      (await cancelQueuedRuns(pool, { runId: id }, { error: "e", message: "m" })) > 0,
  },
  { operation: "release", to: "QUEUED", apply: (id) => releaseRun(pool, id, WORKER) },
  {
    operation: "reap",
    to: "QUEUED",
    setup: { leaseExpired: true, attempt: 1, maxAttempts: 2 },
    apply: async (id) => (await reapExpiredRuns(pool)).some((r) => r.id === id),
  },
  {
    operation: "reap",
    to: "FAILURE",
    setup: { leaseExpired: true, attempt: 2, maxAttempts: 2 },
    apply: async (id) => (await reapExpiredRuns(pool)).some((r) => r.id === id),
  },
  {
    operation: "reap",
    to: "CANCELED",
    setup: { leaseExpired: true, maxAttempts: 3, cancelRequested: true },
    apply: async (id) => (await reapExpiredRuns(pool)).some((r) => r.id === id),
  },
];

/** A run in `status`, leased to WORKER (its lease held unless `leaseExpired`). */
async function runIn(status: RunStatus, setup: Setup = {}): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `INSERT INTO lignee.runs
       (id, status, selection, asset_keys, attempt, max_attempts, cancel_requested, worker_id,
        lease_expires_at)
     VALUES ($1, $2, 'a', '["a"]', $3, $4, $5, $6, now() + $7 * interval '1 second')`,
    [
      id,
      status,
      setup.attempt ?? 1,
      setup.maxAttempts ?? 1,
      setup.cancelRequested ?? false,
      WORKER,
      setup.leaseExpired ? -1 : 3600,
    ],
  );
  return id;
}

const statusOf = async (id: string): Promise<RunStatus> =>
  (await pool.query<{ status: RunStatus }>("SELECT status FROM lignee.runs WHERE id = $1", [id]))
    .rows[0]!.status;

const label = (a: Attempt): string => `${a.operation} → ${a.to}`;

describe("the run transition table", () => {
  it("lists only operations that have a statement, each tried here", () => {
    const tried = new Set(ATTEMPTS.map(label));
    const creations = RUN_TRANSITIONS.filter((t) => t.from === null);
    const updates = RUN_TRANSITIONS.filter((t) => t.from !== null);
    expect(updates.map((t) => `${t.operation} → ${t.to}`).every((l) => tried.has(l))).toBe(true);
    expect(creations.map((t) => t.operation).sort()).toEqual(["enqueue", "start"]);
  });

  for (const attempt of ATTEMPTS) {
    for (const from of STATUSES) {
      const allowed = isAllowed(attempt.operation, from, attempt.to);
      it(`${label(attempt)} from ${from}: ${allowed ? "applies" : "refused"}`, async () => {
        const id = await runIn(from, attempt.setup);
        expect(await attempt.apply(id)).toBe(allowed);
        expect(await statusOf(id)).toBe(allowed ? attempt.to : from);
      });
    }
  }

  it("creates runs QUEUED (enqueue) or STARTED (start), and never over an existing run", async () => {
    const run = {
      selection: "a",
      assetKeys: ["a"],
      partitionSpec: { kind: "none" },
      tags: {},
      pools: [],
      maxAttempts: 1,
      hostname: "h",
      pid: 1,
    };
    const queued = randomUUID();
    expect(await enqueueRun(pool, { ...run, id: queued })).toBe(true);
    expect(await statusOf(queued)).toBe("QUEUED");
    const started = randomUUID();
    await startRun(pool, { ...run, id: started });
    expect(await statusOf(started)).toBe("STARTED");
    expect(isAllowed("enqueue", null, "QUEUED") && isAllowed("start", null, "STARTED")).toBe(true);

    for (const from of STATUSES) {
      const id = await runIn(from);
      expect(await enqueueRun(pool, { ...run, id }, { ifAbsent: true })).toBe(false);
      await expect(enqueueRun(pool, { ...run, id })).rejects.toThrow();
      await expect(startRun(pool, { ...run, id })).rejects.toThrow();
      expect(await statusOf(id)).toBe(from);
    }
  });
});
