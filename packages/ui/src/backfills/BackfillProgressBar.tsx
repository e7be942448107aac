import type { BackfillProgress, RunStatus } from "../api/types";
import { formatNumber } from "../format";

/** Drawn left to right: done, then ended otherwise, then what is still to come. */
const ORDER: readonly RunStatus[] = ["SUCCESS", "FAILURE", "CANCELED", "STARTED", "QUEUED"];

const WORDS: Record<RunStatus, string> = {
  SUCCESS: "succeeded",
  FAILURE: "failed",
  CANCELED: "canceled",
  STARTED: "running",
  QUEUED: "queued",
};

/**
 * A backfill's partitions by the status of the run covering them, as one stacked bar (and, unless
 * compact, in words).
 */
export function BackfillProgressBar({
  progress,
  compact,
}: {
  progress: BackfillProgress;
  compact?: boolean;
}) {
  const p = progress.partitions;
  const total = progress.totalPartitions;
  return (
    <div
      className={compact ? "backfill-progress compact" : "backfill-progress"}
      data-testid="backfill-progress"
      data-done={p.SUCCESS}
      data-failed={p.FAILURE}
      data-running={p.STARTED}
      data-queued={p.QUEUED}
      data-total={total}
    >
      <div className="progress-bar" title={describeProgress(progress)}>
        {total > 0 &&
          ORDER.filter((s) => p[s] > 0).map((s) => (
            <div
              key={s}
              className={`progress-part status-${s.toLowerCase()}`}
              style={{ width: `${(p[s] / total) * 100}%` }}
            />
          ))}
      </div>
      {compact ? (
        <span className="muted">
          {formatNumber(p.SUCCESS)}/{formatNumber(total)}
        </span>
      ) : (
        <p className="progress-words">{describeProgress(progress)}</p>
      )}
    </div>
  );
}

/** "2/3 partitions succeeded · 1 running": the counts that are not zero. */
export function describeProgress(progress: BackfillProgress): string {
  const p = progress.partitions;
  const parts = [
    `${formatNumber(p.SUCCESS)}/${formatNumber(progress.totalPartitions)} partitions succeeded`,
  ];
  for (const s of ORDER.slice(1)) if (p[s] > 0) parts.push(`${formatNumber(p[s])} ${WORDS[s]}`);
  if (progress.canceling > 0) parts.push(`${formatNumber(progress.canceling)} run(s) stopping`);
  if (progress.createdChunks < progress.totalChunks) {
    parts.push(
      `${formatNumber(progress.createdChunks)}/${formatNumber(progress.totalChunks)} runs created`,
    );
  }
  return parts.join(" · ");
}

/** "1 partition each", "up to 10 partitions each". */
export function describeChunkSize(chunkSize: number): string {
  return chunkSize === 1 ? "1 partition each" : `up to ${formatNumber(chunkSize)} partitions each`;
}
