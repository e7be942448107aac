import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type pg from "pg";
import { retryDelay, retryPolicy } from "../definitions/retry-policy";
import { describeError } from "../errors";
import { abortableSleep } from "../execution/abortable-sleep";
import { claimDeliveries, type ClaimedDelivery } from "../storage/alerts/claim-deliveries";
import { fanOutDeliveries } from "../storage/alerts/fan-out";
import { markFailed } from "../storage/alerts/mark-failed";
import { ALERT_CHANNEL, recordAlertEvent } from "../storage/alerts/record-alert-event";
import { readDayFacts } from "../storage/alerts/summary-facts";
import { PgListener } from "../storage/listener";
import type { AlertSettings } from "./alert-settings";
import { idempotencyKey, type AlertChannel, type AlertMessage } from "./channel";
import { dueSummaryDay } from "./daily-summary";
import { summaryEvent } from "./daily-summary";
import { DeliveredMarker } from "./delivered-marker";
import { redactSecrets } from "./redact";

/** The assets overdue at `now` (the freshness policies' business); none by default. */
export type OverdueAssets = (now: Date) => Promise<readonly string[]>;

export interface AlertSenderOptions {
  readonly pool: pg.Pool;
  readonly channels: readonly AlertChannel[];
  readonly settings: Pick<
    AlertSettings,
    | "dailySummary"
    | "publicUrl"
    | "maxAttempts"
    | "retryMs"
    | "leaseMs"
    | "timeoutMs"
    | "pollMs"
    | "maxAgeMs"
  >;
  /** Deliveries a `round` claims at once (default 64); sends in flight at most (default 32). */
  readonly batchSize?: number;
  readonly concurrency?: number;
  readonly overdueAssets?: OverdueAssets;
  readonly clock?: () => Date;
  readonly log?: (message: string) => void;
  /** Called after each round that met no storage error: liveness. */
  readonly onAlive?: () => void;
  /**
   * Test hook: called when a send starts, before the receiver answers (a test kills the
   * process there).
   */
  readonly onSending?: (delivery: ClaimedDelivery) => void;
}

/** What one round did. */
export interface SendRound {
  readonly claimed: number;
  readonly delivered: number;
  readonly failed: number;
  readonly dead: number;
}

/**
 * Delivers the alert outbox to the channels: each round creates the pending deliveries of new
 * events, claims due ones with a lease (`FOR UPDATE SKIP LOCKED`), sends them with their
 * idempotency key and marks them delivered, or failed with a backoff, or dead after the last
 * try. Any number of senders may run against one database: a delivery is sent by one at a
 * time, and a dead sender's claims are sent again once their lease expires (at least once;
 * exactly once at a receiver that honours the key).
 *
 * @example
 * const sender = new AlertSender({ pool, channels, settings });
 * await sender.run(controller.signal);
 */
export class AlertSender {
  readonly id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly byName: ReadonlyMap<string, AlertChannel>;
  private summaryWritten: string | undefined;
  private readonly marker: DeliveredMarker;

  constructor(private readonly options: AlertSenderOptions) {
    this.byName = new Map(options.channels.map((c) => [c.name, c]));
    this.marker = new DeliveredMarker(options.pool);
  }

  /** One round: fan out, claim one batch, send it all. */
  async round(): Promise<SendRound> {
    await this.prepare();
    const claimed = await this.claim(this.options.batchSize ?? 64);
    const outcomes = await inParallel(claimed, this.options.concurrency ?? 32, (d) =>
      this.deliver(d),
    );
    return {
      claimed: claimed.length,
      delivered: outcomes.filter((o) => o === "delivered").length,
      failed: outcomes.filter((o) => o === "pending").length,
      dead: outcomes.filter((o) => o === "dead").length,
    };
  }

  /**
   * Delivers until `signal` aborts, keeping up to `concurrency` sends in flight: it claims more
   * as sends complete, creates the deliveries of new events when notified of them (or every
   * `pollMs`), and waits when nothing is due. Sends in progress finish first (each within its
   * timeout).
   */
  async run(signal: AbortSignal): Promise<void> {
    if (this.options.channels.length === 0 && !this.options.settings.dailySummary) return;
    const concurrency = this.options.concurrency ?? 32;
    const inflight = new Set<Promise<unknown>>();
    const wake = new WakeUp();
    let news = true;
    let preparedAt = 0;
    const listener = await this.listen(() => {
      news = true;
      wake.fire();
    });
    try {
      while (!signal.aborted) {
        let claimed = 0;
        try {
          if (news || performance.now() - preparedAt >= this.options.settings.pollMs) {
            news = false;
            preparedAt = performance.now();
            await this.prepare();
          }
          // Claims in groups (half the slots at least), not one per completed send.
          const free = concurrency - inflight.size;
          if (free >= Math.max(1, concurrency / 2) || inflight.size === 0) {
            const batch = await this.claim(free);
            claimed = batch.length;
            for (const d of batch) {
              const sending = this.deliver(d).finally(() => {
                inflight.delete(sending);
                wake.fire();
              });
              inflight.add(sending);
            }
          }
          this.options.onAlive?.();
        } catch (error) {
          this.log(`alerts: ${describeError(error)}`);
        }
        if (claimed > 0 && inflight.size < concurrency) continue;
        await wake.wait(this.options.settings.pollMs, signal);
      }
      await Promise.allSettled([...inflight]);
    } finally {
      await listener.stop();
      for (const channel of this.options.channels) channel.close?.();
    }
  }

  /** The daily summary when due, and the pending deliveries of new events. */
  private async prepare(): Promise<void> {
    await this.writeDailySummary();
    for (const channel of this.options.channels) {
      await fanOutDeliveries(this.options.pool, {
        channel: channel.name,
        kinds: channel.kinds,
        schedules: channel.schedules,
        maxAgeMs: this.options.settings.maxAgeMs,
      });
    }
  }

  private claim(limit: number): Promise<ClaimedDelivery[]> {
    return claimDeliveries(
      this.options.pool,
      this.id,
      [...this.byName.keys()],
      limit,
      this.options.settings.leaseMs,
    );
  }

  private async deliver(d: ClaimedDelivery): Promise<"delivered" | "pending" | "dead" | "lost"> {
    const channel = this.byName.get(d.channel)!;
    const key = idempotencyKey(d.eventId, d.channel);
    try {
      this.options.onSending?.(d);
      // A total limit (not only an idle one), shorter than the lease: a slow receiver cannot
      // outlast the claim and be sent the same delivery by another sender.
      await channel.send(
        this.message(d),
        key,
        AbortSignal.timeout(this.options.settings.timeoutMs),
      );
    } catch (error) {
      const text = redactSecrets(describeError(error), channel.secrets).slice(0, 1000);
      const delay = retryDelay(
        retryPolicy({
          maxRetries: this.options.settings.maxAttempts,
          delayMs: this.options.settings.retryMs,
          maxDelayMs: 600_000,
        }),
        d.attempt,
      );
      const status = await markFailed(
        this.options.pool,
        { eventId: d.eventId, channel: d.channel, sender: this.id },
        text,
        delay,
        this.options.settings.maxAttempts,
      );
      this.log(
        status === "dead"
          ? `alerts: ${key} dead after ${d.attempt} tries: ${text}`
          : `alerts: ${key} try ${d.attempt} failed (${text}); next in ${Math.round(delay / 1000)} s`,
      );
      return status ?? "lost";
    }
    try {
      await this.marker.mark({ eventId: d.eventId, channel: d.channel });
    } catch (error) {
      // Sent but not recorded: its lease will expire and it will be sent again (same key).
      this.log(`alerts: ${key} sent, but not recorded delivered: ${describeError(error)}`);
      return "lost";
    }
    return "delivered";
  }

  private message(d: ClaimedDelivery): AlertMessage {
    const path = typeof d.payload.path === "string" ? d.payload.path : undefined;
    const base = this.options.settings.publicUrl;
    return {
      eventId: d.eventId,
      kind: d.kind,
      subject: d.subject,
      payload: d.payload,
      createdAt: new Date(d.createdAt),
      link: path && base ? `${base}${path}` : undefined,
    };
  }

  /** Writes the due daily summary once (its dedupe key makes it once across senders too). */
  private async writeDailySummary(): Promise<void> {
    const summary = this.options.settings.dailySummary;
    if (!summary) return;
    const now = (this.options.clock ?? (() => new Date()))();
    const day = dueSummaryDay(summary, now);
    if (!day || this.summaryWritten === day.date) return;
    const facts = await readDayFacts(this.options.pool, day.from, day.to);
    const overdue = this.options.overdueAssets ? await this.options.overdueAssets(now) : [];
    await recordAlertEvent(this.options.pool, summaryEvent(day, facts, overdue));
    this.summaryWritten = day.date;
  }

  /**
   * Listens for new events on a connection of its own, opened again when lost (events written
   * meanwhile are looked for then, as at each `pollMs`).
   */
  private async listen(onEvent: () => void): Promise<PgListener> {
    const listener = new PgListener({
      connection: this.options.pool.options,
      channels: [ALERT_CHANNEL],
      applicationName: "lignee alerts",
      onNotification: onEvent,
      onResumed: onEvent,
      log: (m) => this.log(`alerts: ${m}`),
    });
    await listener.start();
    return listener;
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.error(m)))(message);
  }
}

/** A wait that a notification ends early. */
class WakeUp {
  private pending = false;
  private resolve: (() => void) | undefined;

  fire(): void {
    this.pending = true;
    this.resolve?.();
  }

  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return;
    }
    const controller = new AbortController();
    const onAbort = (): void => controller.abort();
    signal.addEventListener("abort", onAbort, { once: true });
    this.resolve = () => controller.abort();
    await abortableSleep(ms, controller.signal);
    signal.removeEventListener("abort", onAbort);
    this.resolve = undefined;
    this.pending = false;
  }
}

/** `work` over `items`, at most `limit` at once, results in order. */
async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
