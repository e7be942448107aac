import type {
  AssetStatus,
  BackfillStatus,
  RunStatus,
  ScheduleTickStatus,
  StepStatus,
} from "../api/types";

/** A status in its colour (the same palette on the lineage, asset, run and automation pages). */
export function StatusBadge({
  status,
}: {
  status: AssetStatus | RunStatus | StepStatus | BackfillStatus | ScheduleTickStatus;
}) {
  return (
    <span className={`badge status-${status.toLowerCase()}`} data-status={status}>
      {status.toLowerCase()}
    </span>
  );
}
