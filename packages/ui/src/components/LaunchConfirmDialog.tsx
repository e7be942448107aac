import type { LaunchPreview } from "../api/types";
import { formatNumber } from "../format";
import { Dialog } from "./Dialog";
import "./launch-confirm.css";

/**
 * "Materialise 924 partitions of emploi/fait_offre_emploi? about 12 min (from the last 5
 * runs)" with Cancel / Start. Escape cancels (Dialog).
 */
export function LaunchConfirmDialog({
  preview,
  onCancel,
  onStart,
}: {
  preview: LaunchPreview;
  onCancel: () => void;
  onStart: () => void;
}) {
  const partitioned = preview.assets.filter((a) => a.partitions > 0);
  return (
    <Dialog label="Confirm launch" testId="launch-confirm" onClose={onCancel}>
      <h3 data-testid="launch-confirm-title">{launchQuestion(preview)}</h3>
      <p data-testid="launch-confirm-estimate">{estimateText(preview)}</p>
      {partitioned.length > 1 && (
        <ul className="launch-confirm-assets">
          {partitioned.map((a) => (
            <li key={a.assetKey}>
              <span className="mono">{a.assetKey}</span>: {formatNumber(a.partitions)} partition
              {a.partitions === 1 ? "" : "s"}
            </li>
          ))}
        </ul>
      )}
      {preview.reason && <p className="muted">Asking because: {preview.reason}.</p>}
      {preview.leftOut.length > 0 && (
        <ul className="launch-confirm-left-out" data-testid="launch-confirm-left-out">
          {preview.leftOut.map((l) => (
            <li key={l.assetKey}>
              Left out {formatNumber(l.partitions)} partition{l.partitions === 1 ? "" : "s"} of{" "}
              <span className="mono">{l.assetKey}</span>: {l.reason}
            </li>
          ))}
        </ul>
      )}
      <div className="dialog-actions">
        <button
          type="button"
          className="link-button"
          onClick={onCancel}
          data-testid="launch-confirm-cancel"
        >
          Cancel
        </button>
        <button type="button" onClick={onStart} data-testid="launch-confirm-start" autoFocus>
          Start
        </button>
      </div>
    </Dialog>
  );
}

/** `Materialise 924 partitions of emploi/fait_offre_emploi?` */
export function launchQuestion(preview: LaunchPreview): string {
  const keys = preview.assets.map((a) => a.assetKey);
  const named =
    keys.length <= 2
      ? keys.join(" and ")
      : `${keys.slice(0, 2).join(", ")} and ${keys.length - 2} more`;
  const n = preview.totalPartitions;
  return `Materialise ${formatNumber(n)} partition${n === 1 ? "" : "s"} of ${named}?`;
}

/** `About 12 min (from the last 5 runs).`, or `No measurement yet: duration unknown.` */
export function estimateText(preview: LaunchPreview): string {
  if (preview.estimateSeconds === null) return "No measurement yet: duration unknown.";
  const k = preview.measuredSteps;
  const unmeasured =
    preview.unmeasured.length > 0
      ? ` Not counted, never measured yet: ${preview.unmeasured.join(", ")}.`
      : "";
  return `About ${formatDuration(preview.estimateSeconds)} (from the last ${k} run${k === 1 ? "" : "s"}).${unmeasured}`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return m > 0 ? `${h} h ${m} min` : `${h} h`;
}
