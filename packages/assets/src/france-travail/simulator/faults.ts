import type { FaultOptions } from "./options";
import { type Random, seededRandom } from "./random";

export type Fault = "server-error" | "malformed" | "short-page" | undefined;

/** Seeded fault injection: which search calls fail, and how long calls take. */
export class FaultInjector {
  private readonly random: Random;

  constructor(
    private readonly options: FaultOptions,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  latencyMs(): number {
    const { stallRatio = 0, stallMs = 5_000 } = this.options;
    const stall = stallRatio > 0 && this.random() < stallRatio ? stallMs : 0;
    return stall + this.baseLatencyMs();
  }

  private baseLatencyMs(): number {
    const latency = this.options.latencyMs;
    if (latency === undefined) return 0;
    if (typeof latency === "number") return latency;
    return latency[0] + this.random() * (latency[1] - latency[0]);
  }

  /** The fault for the next search call, if any. */
  next(): Fault {
    const { serverErrorRatio = 0, malformedRatio = 0, shortPageRatio = 0 } = this.options;
    if (serverErrorRatio + malformedRatio + shortPageRatio <= 0) return undefined;
    const r = this.random();
    if (r < serverErrorRatio) return "server-error";
    if (r < serverErrorRatio + malformedRatio) return "malformed";
    if (r < serverErrorRatio + malformedRatio + shortPageRatio) return "short-page";
    return undefined;
  }

  /** Status of an injected server error: mostly 500, sometimes 503 (a gateway in trouble). */
  serverErrorStatus(): 500 | 503 {
    return this.random() < 0.7 ? 500 : 503;
  }
}
