import { parisDayWindow, parisFields } from "../paris-time";
import { type Random, WeightedPicker } from "./random";

/**
 * Relative number of offers created per hour of the Paris day: offers are mostly published
 * during office hours, with a lunch dip, and a trickle at night (automated imports).
 */
export const HOURLY_WEIGHTS: readonly number[] = [
  0.3, 0.2, 0.15, 0.15, 0.2, 0.5, 1.5, 3, 6, 9, 10, 9.5, 6, 7, 9, 9, 8, 5.5, 3, 1.8, 1.2, 0.9, 0.6,
  0.4,
];

const HOUR_MS = 3_600_000;

/**
 * Draws creation instants (whole seconds) over one Paris day. The day is cut into its real UTC
 * hours (23, 24 or 25 of them) and each is weighted by its Paris wall-clock hour, so DST days
 * come out right: 2024-10-27 has two "02:00" hours, 2025-03-30 none.
 */
export class DailyCurve {
  readonly startMs: number;
  readonly endMs: number;
  private readonly hours: WeightedPicker<number>;

  constructor(day: string) {
    const { start, end } = parisDayWindow(day);
    this.startMs = start.getTime();
    this.endMs = end.getTime();
    const hourStarts: number[] = [];
    for (let t = this.startMs; t < this.endMs; t += HOUR_MS) hourStarts.push(t);
    this.hours = new WeightedPicker(hourStarts, (t) => HOURLY_WEIGHTS[parisFields(t).hour] ?? 1);
  }

  /** An instant of the day, in epoch milliseconds (whole seconds). */
  draw(random: Random): number {
    return this.hours.pick(random) + Math.floor(random() * 3600) * 1000;
  }

  /** The instant of a Paris wall-clock time `HH:mm:ss` on this day (its first occurrence). */
  at(time: string): number {
    const match = /^(\d{2}):(\d{2}):(\d{2})$/.exec(time);
    if (!match) throw new RangeError(`Invalid time "${time}": expected HH:mm:ss`);
    const wanted = [+match[1]!, +match[2]!, +match[3]!];
    for (let t = this.startMs; t < this.endMs; t += HOUR_MS) {
      if (parisFields(t).hour === wanted[0]) return t + (wanted[1]! * 60 + wanted[2]!) * 1000;
    }
    throw new RangeError(`${time} does not exist on this day (DST change)`);
  }
}
