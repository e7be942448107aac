import { useState } from "react";
import { Link, useLocation } from "wouter";
import { useAssetChecks, useCheckHistory, useRunChecks, useSetCheckEnabled } from "../api/queries";
import type { AssetCheck, CheckEvaluationResult } from "../api/types";
import { ErrorLine } from "../components/ErrorLine";
import { TableHead } from "../components/TableHead";
import { formatNumber, formatTime, shortId } from "../format";
import "./checks-panel.css";

/** How many partitions the grid of a check shows (the newest keys). */
const GRID_PARTITIONS = 120;

/**
 * The checks of an asset: each with its severity, an on/off switch, its latest result and, for a
 * partitioned asset, a grid of its latest result per partition (click one for its description,
 * metadata and history). "Run check" evaluates a check on the chosen partition in a run that
 * materialises nothing.
 */
export function ChecksPanel({ assetKey, partitioned }: { assetKey: string; partitioned: boolean }) {
  const checks = useAssetChecks(assetKey);
  if (checks.error) return <ErrorLine error={checks.error} />;
  if (!checks.data) return <p className="loading">Loading checks…</p>;
  if (checks.data.checks.length === 0) return <p className="muted">No checks.</p>;
  return (
    <div className="checks-panel" data-testid="checks-panel">
      {checks.data.checks.map((c) => (
        <CheckCard key={c.name} assetKey={assetKey} check={c} partitioned={partitioned} />
      ))}
    </div>
  );
}

function CheckCard({
  assetKey,
  check,
  partitioned,
}: {
  assetKey: string;
  check: AssetCheck;
  partitioned: boolean;
}) {
  const [, navigate] = useLocation();
  const toggle = useSetCheckEnabled();
  const runChecks = useRunChecks();
  const [opened, setOpened] = useState<string | undefined>();
  // While the switch request is on its way, show the state asked for.
  const enabled = toggle.isPending ? !check.enabled : check.enabled;
  const target = partitioned ? (opened ?? check.latest?.partitionKey) : undefined;
  const runnable = check.source === "check" && (!partitioned || target !== undefined);
  const run = (confirm?: true) =>
    runChecks.mutate(
      {
        selection: assetKey,
        ...(target !== undefined ? { partition: target } : {}),
        ...(confirm ? { confirm } : {}),
      },
      { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) },
    );
  return (
    <div
      className={`check-card${enabled ? "" : " check-disabled"}`}
      data-testid="check-card"
      data-check={check.name}
      data-enabled={String(enabled)}
    >
      <div className="check-head">
        <button
          type="button"
          role="switch"
          aria-checked={enabled}
          aria-label={`${enabled ? "Switch off" : "Switch on"} check ${check.name}`}
          className={enabled ? "switch on" : "switch"}
          disabled={toggle.isPending}
          onClick={() => toggle.mutate({ assetKey, name: check.name, enabled: !check.enabled })}
          data-testid="check-toggle"
        >
          <span className="switch-knob" />
        </button>
        <span className="mono check-name">{check.name}</span>
        <span className={`badge severity-${check.severity}`}>{check.severity}</span>
        {!enabled && <span className="muted">switched off — not evaluated, holds nothing</span>}
        <span className="spacer" />
        <button
          data-testid="run-check"
          disabled={!runnable || runChecks.isPending || !enabled}
          title={
            check.source !== "check"
              ? "Reported by the asset's materialisation: it runs when the asset is materialised"
              : runnable
                ? `Evaluate ${check.name}${target ? ` on ${target}` : ""} (materialises nothing)`
                : "Choose a partition in the grid first"
          }
          onClick={() => run()}
        >
          Run check{target ? ` on ${target}` : ""}
        </button>
      </div>
      {check.description && <p className="description-line">{check.description}</p>}
      {runChecks.error && <ErrorLine error={runChecks.error} onConfirm={() => run(true)} />}
      {toggle.error && <ErrorLine error={toggle.error} />}
      <p className="check-latest" data-testid="check-latest">
        {check.latest ? (
          <>
            <ResultBadge passed={check.latest.passed} /> {describeResult(check.latest, partitioned)}
          </>
        ) : (
          <span className="muted">Never evaluated.</span>
        )}
        {partitioned && check.partitions.length > 0 && (
          <span className="muted">
            {" "}
            · {formatNumber(check.passedPartitions)} partition
            {check.passedPartitions === 1 ? "" : "s"} passed, {formatNumber(check.failedPartitions)}{" "}
            failed
          </span>
        )}
      </p>
      {partitioned && check.partitions.length > 0 && (
        <PartitionGrid results={check.partitions} opened={opened} onOpen={setOpened} />
      )}
      <CheckHistory
        assetKey={assetKey}
        name={check.name}
        partitionKey={partitioned ? target : undefined}
        opened={
          partitioned ? check.partitions.find((p) => p.partitionKey === target) : check.latest
        }
      />
    </div>
  );
}

function PartitionGrid({
  results,
  opened,
  onOpen,
}: {
  results: readonly CheckEvaluationResult[];
  opened: string | undefined;
  onOpen: (key: string) => void;
}) {
  const shown = results.slice(-GRID_PARTITIONS);
  return (
    <div className="check-grid" data-testid="check-grid">
      {results.length > shown.length && (
        <span className="muted">{formatNumber(results.length - shown.length)} older… </span>
      )}
      {shown.map((r) => (
        <button
          key={r.partitionKey}
          className={`check-cell ${r.passed ? "passed" : "failed"}${opened === r.partitionKey ? " opened" : ""}`}
          title={`${r.partitionKey}: ${r.passed ? "passed" : "failed"}${r.description ? ` — ${r.description}` : ""}`}
          aria-label={`${r.partitionKey} ${r.passed ? "passed" : "failed"}`}
          data-testid="check-cell"
          data-partition={r.partitionKey}
          data-passed={String(r.passed)}
          onClick={() => onOpen(r.partitionKey)}
        />
      ))}
    </div>
  );
}

/** The chosen result's details, then the last results of that partition. */
function CheckHistory({
  assetKey,
  name,
  partitionKey,
  opened,
}: {
  assetKey: string;
  name: string;
  partitionKey: string | undefined;
  opened: CheckEvaluationResult | null | undefined;
}) {
  const history = useCheckHistory(assetKey, name, partitionKey);
  return (
    <div className="check-history" data-testid="check-history">
      {opened && Object.keys(opened.metadata).length > 0 && (
        <dl className="check-metadata" data-testid="check-metadata">
          {Object.entries(opened.metadata).map(([k, v]) => (
            <div key={k}>
              <dt className="muted">{k}</dt>
              <dd className="mono">{typeof v === "string" ? v : JSON.stringify(v)}</dd>
            </div>
          ))}
        </dl>
      )}
      {history.data && history.data.results.length > 0 && (
        <table className="table">
          <TableHead
            columns={[
              "When",
              ...(partitionKey !== undefined ? [] : ["Partition"]),
              "Result",
              "Details",
              "Run",
              "Took",
            ]}
          />
          <tbody>
            {history.data.results.map((r) => (
              <tr key={r.id} data-passed={String(r.passed)}>
                <td>{formatTime(r.createdAt)}</td>
                {partitionKey === undefined && <td>{r.partitionKey || "—"}</td>}
                <td>
                  <ResultBadge passed={r.passed} />
                </td>
                <td>{r.description ?? ""}</td>
                <td>
                  <Link href={`/runs/${r.runId}`}>{shortId(r.runId)}</Link>
                </td>
                <td>{r.durationMs === null ? "" : `${formatNumber(r.durationMs)} ms`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

function ResultBadge({ passed }: { passed: boolean }) {
  return (
    <span className={passed ? "badge status-fresh" : "badge status-failed"}>
      {passed ? "passed" : "failed"}
    </span>
  );
}

function describeResult(r: CheckEvaluationResult, partitioned: boolean): string {
  const where = partitioned && r.partitionKey ? ` on ${r.partitionKey}` : "";
  return `${formatTime(r.createdAt)}${where}${r.description ? `: ${r.description}` : ""}`;
}
