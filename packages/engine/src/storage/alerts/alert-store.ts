import type pg from "pg";
import { connectPool } from "../transaction";
import { deliveryCounts, type AlertDeliveryCount } from "./delivery-counts";
import { listDeliveries, type DeliveryRecord, type DeliveryStatus } from "./list-deliveries";
import { recordTestEvent } from "./record-test-event";
import { retryDeadDelivery } from "./retry-delivery";

/** What the alerts API reads and writes: deliveries, test events, retries of dead ones. */
export interface AlertStore {
  listDeliveries(options: {
    status?: DeliveryStatus;
    limit: number;
    before?: Date;
  }): Promise<DeliveryRecord[]>;
  recordTestEvent(channel: string): Promise<string>;
  retryDead(eventId: number, channel: string): Promise<boolean>;
  /** Deliveries by channel and status, for the metrics. */
  deliveryCounts(): Promise<AlertDeliveryCount[]>;
  close(): Promise<void>;
}

/** The alert store on PostgreSQL. */
export class PostgresAlertStore implements AlertStore {
  private constructor(private readonly pool: pg.Pool) {}

  static connect(databaseUrl: string, options: { max?: number } = {}): PostgresAlertStore {
    return new PostgresAlertStore(connectPool(databaseUrl, options.max ?? 2));
  }

  listDeliveries(options: {
    status?: DeliveryStatus;
    limit: number;
    before?: Date;
  }): Promise<DeliveryRecord[]> {
    return listDeliveries(this.pool, options);
  }

  recordTestEvent(channel: string): Promise<string> {
    return recordTestEvent(this.pool, channel, null);
  }

  retryDead(eventId: number, channel: string): Promise<boolean> {
    return retryDeadDelivery(this.pool, eventId, channel);
  }

  deliveryCounts(): Promise<AlertDeliveryCount[]> {
    return deliveryCounts(this.pool);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
