import { describe, expect, it } from "vitest";
import {
  describeProgress,
  isBackfillDone,
  settledStatus,
  summarizeProgress,
  type ProgressRow,
} from "./progress";

const row = (status: ProgressRow["status"], runs: number, partitions = runs * 10, canceling = 0) =>
  ({ status, runs, partitions, canceling }) as const;

describe("summarizeProgress", () => {
  it("counts runs and partitions by status", () => {
    const p = summarizeProgress(5, [
      row("SUCCESS", 2),
      row("FAILURE", 1),
      row("STARTED", 1, 10, 1),
      row("QUEUED", 1, 3),
    ]);
    expect(p).toMatchObject({
      totalChunks: 5,
      createdChunks: 5,
      totalPartitions: 43,
      runs: { SUCCESS: 2, FAILURE: 1, STARTED: 1, QUEUED: 1, CANCELED: 0 },
      partitions: { SUCCESS: 20, FAILURE: 10, STARTED: 10, QUEUED: 3, CANCELED: 0 },
      canceling: 1,
      finished: false,
    });
  });

  it("is finished once every chunk has a run and every run has ended", () => {
    expect(summarizeProgress(2, [row("SUCCESS", 1), row("CANCELED", 1)]).finished).toBe(true);
    // A run not created yet is not finished.
    expect(summarizeProgress(3, [row("SUCCESS", 2)]).finished).toBe(false);
    expect(summarizeProgress(1, []).finished).toBe(false);
  });
});

describe("settledStatus", () => {
  it("settles a RUNNING backfill whose runs all ended: COMPLETED if all succeeded", () => {
    expect(settledStatus("RUNNING", summarizeProgress(2, [row("SUCCESS", 2)]))).toBe("COMPLETED");
    expect(
      settledStatus("RUNNING", summarizeProgress(2, [row("SUCCESS", 1), row("FAILURE", 1)])),
    ).toBe("FAILED");
    expect(
      settledStatus("RUNNING", summarizeProgress(2, [row("SUCCESS", 1), row("CANCELED", 1)])),
    ).toBe("FAILED");
  });

  it("leaves other statuses, and unfinished backfills, as they are", () => {
    const done = summarizeProgress(1, [row("SUCCESS", 1)]);
    expect(settledStatus("REQUESTED", done)).toBe("REQUESTED");
    expect(settledStatus("CANCELED", done)).toBe("CANCELED");
    expect(
      settledStatus("RUNNING", summarizeProgress(2, [row("SUCCESS", 1), row("QUEUED", 1)])),
    ).toBe("RUNNING");
  });
});

describe("isBackfillDone", () => {
  it("waits for COMPLETED or FAILED, or a CANCELED backfill whose runs stopped", () => {
    const running = summarizeProgress(2, [row("STARTED", 1, 10, 1), row("CANCELED", 1)]);
    const stopped = summarizeProgress(2, [row("CANCELED", 2)]);
    expect(isBackfillDone("RUNNING", running)).toBe(false);
    expect(isBackfillDone("REQUESTED", stopped)).toBe(false);
    expect(isBackfillDone("CANCELED", running)).toBe(false);
    expect(isBackfillDone("CANCELED", stopped)).toBe(true);
    expect(isBackfillDone("COMPLETED", stopped)).toBe(true);
    expect(isBackfillDone("FAILED", stopped)).toBe(true);
  });
});

describe("describeProgress", () => {
  it("names the counts that are not zero, in partitions", () => {
    expect(
      describeProgress(
        summarizeProgress(4, [
          row("SUCCESS", 1),
          row("FAILURE", 1, 3),
          row("STARTED", 1),
          row("QUEUED", 1),
        ]),
      ),
    ).toBe("10/33 partitions done, 3 failed, 10 running, 10 queued");
    expect(describeProgress(summarizeProgress(3, [row("QUEUED", 1)]))).toBe(
      "0/10 partitions done, 10 queued, 1/3 runs created",
    );
  });
});
