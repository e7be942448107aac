import pg from "pg";
import { describeError } from "../errors";

export interface PgListenerOptions {
  /** A connection string, or a client's configuration (a pool's `options`). */
  readonly connection: string | pg.ClientConfig;
  /** Channel names (plain identifiers: `lignee_changes`). */
  readonly channels: readonly string[];
  readonly onNotification: (channel: string, payload: string | undefined) => void;
  /**
   * Called each time LISTEN succeeds after a lost connection or a failed attempt: what was
   * committed meanwhile was announced to nobody.
   */
  readonly onResumed?: () => void;
  /** Shown in `pg_stat_activity.application_name` (default `lignee listen`). */
  readonly applicationName?: string;
  /** First delay before connecting again, doubled up to `maxBackoffMs` (250 ms, 10 s). */
  readonly minBackoffMs?: number;
  readonly maxBackoffMs?: number;
  readonly log?: (message: string) => void;
}

const CHANNEL_NAME = /^[a-z_][a-z0-9_]*$/;

/**
 * A dedicated connection that LISTENs to some channels and comes back when it is lost (the
 * database restarting, the backend terminated, the network): it reconnects with an exponential
 * backoff, forever, until stopped. Notifications sent while it was away are lost: `onResumed`
 * tells its owner to look for itself.
 *
 * @example
 * const listener = new PgListener({ connection: url, channels: [CHANGES_CHANNEL], onNotification: () => wake() });
 * listener.start();
 * // … later
 * await listener.stop();
 */
export class PgListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private failures = 0;
  private missed = false;
  private timer: NodeJS.Timeout | undefined;
  private attempt: Promise<void> | undefined;

  constructor(private readonly options: PgListenerOptions) {
    for (const channel of options.channels) {
      if (!CHANNEL_NAME.test(channel)) throw new Error(`invalid LISTEN channel "${channel}"`);
    }
  }

  /** True while a connection is listening. */
  get listening(): boolean {
    return this.client !== undefined;
  }

  /** Starts connecting; resolves once the first attempt has succeeded or failed (never rejects). */
  start(): Promise<void> {
    if (this.stopped || this.attempt || this.client) return this.attempt ?? Promise.resolve();
    return this.connect();
  }

  /** Closes the connection and stops reconnecting (idempotent). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.attempt;
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private connect(): Promise<void> {
    this.attempt = this.tryConnect().finally(() => (this.attempt = undefined));
    return this.attempt;
  }

  private async tryConnect(): Promise<void> {
    const { connection } = this.options;
    const config = typeof connection === "string" ? { connectionString: connection } : connection;
    const client = new pg.Client({
      connectionTimeoutMillis: 10_000,
      ...config,
      application_name: this.options.applicationName ?? "lignee listen",
      keepAlive: true,
    });
    let down = false;
    const onDown = (error: unknown): void => {
      if (down) return;
      down = true;
      client.removeAllListeners("notification");
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      if (this.stopped) return;
      this.missed = true;
      this.log(`listen: connection lost (${describeError(error)}); connecting again`);
      this.retryLater();
    };
    client.on("error", onDown);
    client.on("end", () => onDown(new Error("connection closed")));
    client.on("notification", (m) => this.options.onNotification(m.channel, m.payload));
    try {
      await client.connect();
      for (const channel of this.options.channels) await client.query(`LISTEN ${channel}`);
    } catch (error) {
      onDown(error);
      return;
    }
    if (down) return;
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    if (this.missed) {
      this.missed = false;
      this.log("listen: listening again");
      this.options.onResumed?.();
    }
  }

  private retryLater(): void {
    if (this.stopped || this.timer !== undefined) return;
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 10_000;
    const delay = Math.min(max, min * 2 ** this.failures) * (0.5 + Math.random() / 2);
    this.failures++;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) void this.connect();
    }, delay);
    this.timer.unref();
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.error(m)))(message);
  }
}
