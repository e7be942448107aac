import { pathToFileURL } from "node:url";
import pg from "pg";
import { AlertSender, createChannels, migrateDatabase, recordAlertEvent } from "@lignee/engine";
import { startHttpReceiver } from "../tests/support/alert-receivers";
import { openBenchDatabase } from "./support";

const EVENTS = 1_000;
const SECRET = "bench-secret-0123456789abcdef";

/**
 * Alert delivery: 1,000 `run_failed` events in the outbox, delivered by one sender to a signed
 * webhook receiver on loopback (node:http, verifying each HMAC). Figures: events delivered per
 * second (from the sender's start to the last delivery marked), duplicates at the receiver
 * (requests beyond one per idempotency key), signatures that failed to verify. Target: ≥ 200/s,
 * no duplicate.
 */
export async function alertsBench(
  log: (message: string) => void = (m) => console.error(m),
): Promise<Record<string, number>> {
  const db = await openBenchDatabase(log);
  const receiver = await startHttpReceiver({ secret: SECRET });
  const pool = new pg.Pool({ connectionString: db.url, max: 8 });
  try {
    await migrateDatabase(db.url);
    for (let i = 0; i < EVENTS; i++) {
      await recordAlertEvent(pool, {
        kind: "run_failed",
        dedupeKey: `run_failed:bench-${i}`,
        subject: `Run bench-${i} failed: Failed raw/offres[2024-08-05]: HTTP 503`,
        payload: { runId: `bench-${i}`, rootCause: "HTTP 503", path: `/runs/bench-${i}` },
      });
    }
    const sender = new AlertSender({
      pool,
      channels: createChannels(
        [{ kind: "webhook", name: "bench", url: `${receiver.url}/hook`, secret: SECRET }],
        10_000,
      ),
      settings: {
        dailySummary: undefined,
        publicUrl: "http://127.0.0.1:3000",
        maxAttempts: 5,
        retryMs: 1_000,
        leaseMs: 60_000,
        timeoutMs: 10_000,
        pollMs: 1_000, // the default: new events wake the sender by notification
        maxAgeMs: 3_600_000,
      },
      log,
    });
    const controller = new AbortController();
    const started = performance.now();
    const running = sender.run(controller.signal);
    let elapsedMs = 0;
    for (;;) {
      const done = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM lignee.alert_deliveries WHERE status = 'delivered'`,
      );
      if (done.rows[0]!.n >= EVENTS) {
        elapsedMs = performance.now() - started;
        break;
      }
      if (performance.now() - started > 120_000) throw new Error("alerts bench: timed out");
      await new Promise((r) => setTimeout(r, 20));
    }
    controller.abort();
    await running;
    const keys = receiver.keys();
    const figures = {
      alert_events: EVENTS,
      alert_delivery_seconds: Math.round(elapsedMs) / 1000,
      alert_events_per_second: Math.round((EVENTS / elapsedMs) * 1000),
      alert_duplicates: receiver.requests.length - keys.size,
      alert_missing: EVENTS - keys.size,
      alert_bad_signatures: receiver.requests.filter((r) => r.signatureValid !== true).length,
    };
    console.log(
      `alerts: ${EVENTS} events delivered in ${figures.alert_delivery_seconds} s ` +
        `(${figures.alert_events_per_second}/s), ${figures.alert_duplicates} duplicate(s), ` +
        `${figures.alert_missing} missing, ${figures.alert_bad_signatures} bad signature(s)`,
    );
    return figures;
  } finally {
    await pool.end();
    await receiver.close();
    await db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await alertsBench();
}
