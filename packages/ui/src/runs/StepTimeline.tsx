import { useEffect, useState } from "react";
import type { Run, RunStep } from "../api/types";
import { StatusBadge } from "../components/StatusBadge";
import { formatDuration } from "../format";

/** One row per step, its bar placed on the run's time axis (live while the run goes on). */
export function StepTimeline({ run, steps }: { run: Run; steps: readonly RunStep[] }) {
  const now = useNow(run.endedAt === null);
  if (steps.length === 0) return <p className="muted">No steps started yet.</p>;
  const start = Date.parse(run.startedAt ?? run.createdAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : now;
  const total = Math.max(end - start, 1);
  return (
    <div className="timeline" data-testid="step-timeline">
      {steps.map((step) => {
        const s = step.startedAt ? Date.parse(step.startedAt) : start;
        const e = step.endedAt ? Date.parse(step.endedAt) : end;
        return (
          <div key={step.key} className="timeline-row" data-testid="step-row" data-step={step.key}>
            <span className="timeline-label mono" title={step.assetKeys.join(", ")}>
              {step.key}
            </span>
            <span className="timeline-track">
              <span
                className={`timeline-bar status-${step.status.toLowerCase()}`}
                style={{
                  left: `${((s - start) / total) * 100}%`,
                  width: `${Math.max(((e - s) / total) * 100, 0.5)}%`,
                }}
              />
            </span>
            <span className="timeline-status">
              <StatusBadge status={step.status} />
              <span className="muted">
                {formatDuration(e - s)}
                {step.attempts > 1 ? ` · ${step.attempts} attempts` : ""}
              </span>
            </span>
          </div>
        );
      })}
    </div>
  );
}

function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}
