import type { AssetStatus, RunStatus, StepStatus } from "../api/types";

/** A status in its colour (the same palette on the lineage, asset and run pages). */
export function StatusBadge({ status }: { status: AssetStatus | RunStatus | StepStatus }) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {status.toLowerCase()}
    </span>
  );
}
