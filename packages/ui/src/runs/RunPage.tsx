import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link, useLocation } from "wouter";
import { assetPath } from "../api/client";
import { keys, useCancelRun, useReexecuteRun, useRun } from "../api/queries";
import { followRunEvents } from "../api/run-events";
import { TERMINAL_RUN_STATUSES, type RunEvent } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { LaunchedBy } from "../components/LaunchedBy";
import { StatusBadge } from "../components/StatusBadge";
import { TagList } from "../components/TagList";
import { formatDuration, formatTime } from "../format";
import { describePartitions } from "./RunsPage";
import { EventLog } from "./EventLog";
import { StepTimeline } from "./StepTimeline";

/** One run: status, per-step timeline, live event log, cancel and re-execute. */
export function RunPage({ runId }: { runId: string }) {
  const [, navigate] = useLocation();
  const client = useQueryClient();
  const [events, setEvents] = useState<RunEvent[]>([]);
  const [ended, setEnded] = useState(false);
  const [streamError, setStreamError] = useState<string | undefined>();
  const detail = useRun(runId, !ended);
  const cancel = useCancelRun();
  const reexecute = useReexecuteRun();

  useEffect(() => {
    setEvents([]);
    setEnded(false);
    setStreamError(undefined);
    let pending: RunEvent[] = [];
    let frame = 0;
    // Events arrive in bursts (dbt logs): they are appended once per animation frame.
    const flush = () => {
      frame = 0;
      const batch = pending;
      pending = [];
      setEvents((previous) => {
        const last = previous.at(-1)?.id ?? 0;
        const fresh = batch.filter((e) => e.id > last);
        return fresh.length ? [...previous, ...fresh] : previous;
      });
    };
    const stop = followRunEvents(runId, {
      onEvent: (event) => {
        pending.push(event);
        if (!frame) frame = requestAnimationFrame(flush);
        if (event.type.startsWith("STEP_") || event.type.startsWith("RUN_"))
          void client.invalidateQueries({ queryKey: keys.run(runId) });
      },
      onEnd: () => {
        setEnded(true);
        void client.invalidateQueries();
      },
      onError: setStreamError,
    });
    return () => {
      stop();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [runId, client]);

  if (detail.error) return <ErrorLine error={detail.error} />;
  if (!detail.data) return <p className="loading">Loading run…</p>;
  const { run, steps } = detail.data;
  const finished = TERMINAL_RUN_STATUSES.includes(run.status);

  return (
    <div className="run-page" data-testid="run-page" data-run-id={run.id}>
      <div className="page-head">
        <h1 className="mono">Run {run.id.slice(0, 8)}</h1>
        <span data-testid="run-status" data-run-status={run.status}>
          <StatusBadge status={run.status} />
        </span>
        <span className="run-launcher">
          <span className="muted">launched by</span> <LaunchedBy launchedBy={run.launchedBy} />
        </span>
        <span className="spacer" />
        {!finished && (
          <button
            data-testid="cancel-run"
            className="danger"
            disabled={cancel.isPending}
            onClick={() => cancel.mutate(run.id)}
          >
            Cancel
          </button>
        )}
        {finished && (
          <button
            data-testid="reexecute-run"
            disabled={reexecute.isPending}
            onClick={() =>
              reexecute.mutate(
                { id: run.id },
                { onSuccess: ({ runId: next }) => navigate(`/runs/${next}`) },
              )
            }
          >
            Re-execute
          </button>
        )}
      </div>
      {cancel.error && <ErrorLine error={cancel.error} />}
      {reexecute.error && (
        <ErrorLine
          error={reexecute.error}
          onConfirm={() =>
            reexecute.mutate(
              { id: run.id, confirm: true },
              { onSuccess: ({ runId: next }) => navigate(`/runs/${next}`) },
            )
          }
        />
      )}
      {streamError && <ErrorLine error={streamError} />}
      {run.error && <pre className="run-error">{run.error}</pre>}
      <dl className="run-facts">
        <dt>Selection</dt>
        <dd className="mono">{run.selection}</dd>
        <dt>Partitions</dt>
        <dd>{describePartitions(run)}</dd>

        <dt>Started</dt>
        <dd>{formatTime(run.startedAt)}</dd>
        <dt>Duration</dt>
        <dd>{formatDuration(run.durationMs)}</dd>
        <dt>Assets</dt>
        <dd>
          {run.assetKeys.map((k) => (
            <Link key={k} href={`/assets/${assetPath(k)}`} className="asset-chip">
              {k}
            </Link>
          ))}
        </dd>
        <TagList tags={run.tags} />
      </dl>
      {Object.keys(run.config).length > 0 && (
        <>
          <h2>Config</h2>
          <pre className="run-config mono" data-testid="run-config">
            {JSON.stringify(run.config, null, 2)}
          </pre>
        </>
      )}
      <h2>Steps</h2>
      <StepTimeline run={run} steps={steps} />
      <h2>Events</h2>
      <EventLog events={events} live={!ended} />
    </div>
  );
}
