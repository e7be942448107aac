import type pg from "pg";
import { markDelivered, type DeliveryKey } from "../storage/alerts/mark-delivered";

/**
 * Marks deliveries delivered as soon as they are sent, grouping those that complete while a
 * write is in progress into the next one: the window between "the receiver has it" and "storage
 * knows" stays one statement long, and a busy sender writes once per group, not per delivery.
 */
export class DeliveredMarker {
  private queue: { key: DeliveryKey; done: () => void; failed: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(private readonly pool: pg.Pool) {}

  /** Resolves once `key` is recorded delivered. */
  mark(key: DeliveryKey): Promise<void> {
    return new Promise<void>((done, failed) => {
      this.queue.push({ key, done, failed });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue;
        this.queue = [];
        try {
          await markDelivered(
            this.pool,
            group.map((g) => g.key),
          );
          for (const g of group) g.done();
        } catch (error) {
          for (const g of group) g.failed(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }
}
