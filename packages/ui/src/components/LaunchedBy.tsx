import { Link } from "wouter";
import { type LaunchKind, type RunLaunchedBy } from "../api/types";

/** What each kind of launcher is called (a new kind fails the type-check until it is named). */
const KIND_LABELS: Record<LaunchKind, string> = {
  cli: "CLI",
  api: "API",
  schedule: "Schedule",
  sensor: "Sensor",
  eager: "Eager automation",
  backfill: "Backfill",
  reexecution: "Re-execution of",
};

/**
 * What launched a run, in words: `CLI (alice)`, `Schedule offres_daily`, `Backfill 1a2b3c4d`
 * (a link), `Re-execution of 9f8e7d6c` (a link); "unknown" for runs recorded before it was.
 */
export function LaunchedBy({ launchedBy }: { launchedBy: RunLaunchedBy }) {
  if (!launchedBy) return <span className="muted">unknown</span>;
  const label = KIND_LABELS[launchedBy.kind];
  const { detail } = launchedBy;
  const content = (() => {
    if (detail === null) return label;
    if (launchedBy.kind === "backfill")
      return (
        <>
          {label} <Link href={`/backfills/${detail}`}>{detail.slice(0, 8)}</Link>
        </>
      );
    if (launchedBy.kind === "reexecution")
      return (
        <>
          {label} <Link href={`/runs/${detail}`}>{detail.slice(0, 8)}</Link>
        </>
      );
    if (launchedBy.kind === "schedule" || launchedBy.kind === "sensor")
      return (
        <>
          {label} <Link href="/automation">{detail}</Link>
        </>
      );
    return `${label} (${detail})`;
  })();
  return (
    <span className="launched-by" data-testid="launched-by" data-launch-kind={launchedBy.kind}>
      {content}
    </span>
  );
}
