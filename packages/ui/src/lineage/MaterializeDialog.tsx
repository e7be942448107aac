import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { useAssetDetail, useStartRun } from "../api/queries";
import type { AssetDetail, AssetNode, RunRequest } from "../api/types";
import { api } from "../api/client";
import { ErrorLine } from "../components/ErrorLine";
import { Dialog, DialogActions } from "../components/Dialog";
import { useConfirmedLaunch } from "../components/useConfirmedLaunch";
import { useRunConfig, type RunConfigForm } from "../components/useRunConfig";

/** What the dialog needs of an asset (a node of the graph, or an asset's detail). */
export type LaunchableAsset = Pick<AssetNode, "key" | "partitioned" | "configSchema">;

/**
 * Launches a run of the selected assets. Partitioned assets need partitions: one key or a range
 * (the keys of the first partitioned asset are offered; the server validates them for all).
 * Assets that take config get a form built from their schema, checked before anything is sent.
 * With `request`, what to materialise is decided already (stale partitions, a range, a key):
 * the dialog asks only for the config.
 */
export function MaterializeDialog({
  assets,
  request,
  onClose,
}: {
  assets: readonly LaunchableAsset[];
  request?: RunRequest;
  onClose: () => void;
}) {
  const partitioned = assets.find((a) => a.partitioned);
  const selection = assets.map((a) => a.key).join(",");
  const runConfig = useRunConfig(assets);
  return (
    <Dialog label="Materialise" testId="materialize-dialog" onClose={onClose}>
      <h3>
        Materialise {assets.length} asset{assets.length > 1 ? "s" : ""}
      </h3>
      <p className="muted selection-list">{assets.map((a) => a.key).join(", ")}</p>
      {request ? (
        <>
          <p data-testid="materialize-request">{describeRequest(request)}</p>
          {runConfig.form}
          <Launch request={request} runConfig={runConfig} onClose={onClose} />
        </>
      ) : partitioned ? (
        <PartitionForm
          selection={selection}
          sample={partitioned.key}
          runConfig={runConfig}
          onClose={onClose}
        />
      ) : (
        <>
          {runConfig.form}
          <Launch request={{ selection }} runConfig={runConfig} onClose={onClose} />
        </>
      )}
    </Dialog>
  );
}

function PartitionForm({
  selection,
  sample,
  runConfig,
  onClose,
}: {
  selection: string;
  sample: string;
  runConfig: RunConfigForm;
  onClose: () => void;
}) {
  const detail = useAssetDetail(sample);
  const keys = useMemo(() => (detail.data ? keysOffered(detail.data) : []), [detail.data]);
  const last = keys.at(-1) ?? "";
  const [from, setFrom] = useState<string | undefined>();
  const [to, setTo] = useState<string | undefined>();
  const f = from ?? last;
  const t = to ?? last;
  const request: RunRequest = f === t ? { selection, partition: f } : { selection, from: f, to: t };
  return (
    <>
      <div className="partition-inputs">
        <KeyInput label="From" value={f} onChange={setFrom} testId="partition-from" />
        <KeyInput label="To" value={t} onChange={setTo} testId="partition-to" />
        <datalist id="partition-keys">
          {keys.map((k) => (
            <option key={k} value={k} />
          ))}
        </datalist>
      </div>
      {runConfig.form}
      <Launch
        request={request}
        runConfig={runConfig}
        onClose={onClose}
        disabled={f === "" || t === ""}
      />
    </>
  );
}

/** A partition key, typed or picked among the asset's keys (the `partition-keys` list). */
function KeyInput({
  label,
  value,
  onChange,
  testId,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  testId: string;
}) {
  return (
    <label>
      {label}
      <input
        list="partition-keys"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        data-testid={testId}
      />
    </label>
  );
}

function Launch({
  request,
  runConfig,
  onClose,
  disabled,
}: {
  request: RunRequest;
  runConfig: RunConfigForm;
  onClose: () => void;
  disabled?: boolean;
}) {
  const [, navigate] = useLocation();
  const startRun = useStartRun();
  const launch = (body: RunRequest) =>
    startRun.mutate(body, { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) });
  // Large launches (over 50 partitions, or an asset's own limit) are confirmed with a count and
  // an estimate first.
  const confirmed = useConfirmedLaunch(api.previewRun, launch);
  const { showServerError } = runConfig;
  // The server's validation is the truth: what it refuses is shown next to the fields too.
  useEffect(() => showServerError(confirmed.error), [confirmed.error, showServerError]);
  useEffect(() => showServerError(startRun.error), [startRun.error, showServerError]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const config = runConfig.read();
    if (config) confirmed.request({ ...request, ...config });
  };
  return (
    <form onSubmit={submit}>
      {confirmed.error !== undefined && <ErrorLine error={confirmed.error} />}
      {startRun.error && (
        <ErrorLine
          error={startRun.error}
          onConfirm={() => startRun.variables && launch({ ...startRun.variables, confirm: true })}
        />
      )}
      <DialogActions
        submit="Launch run"
        testId="launch-run"
        disabled={disabled || startRun.isPending || confirmed.checking}
        onCancel={onClose}
      />
      {confirmed.dialog}
    </form>
  );
}

/** What a decided request materialises, in words. */
function describeRequest(request: RunRequest): string {
  if (request.stale)
    return request.includeMissingUpstream
      ? "The missing, stale and failed partitions, with the missing upstream partitions they read."
      : "The missing, stale and failed partitions.";
  if (request.partition !== undefined) return `Partition ${request.partition}.`;
  if (request.from !== undefined && request.to !== undefined)
    return `Partitions ${request.from} → ${request.to}.`;
  return "The latest data.";
}

/** Periods offered for two-dimensional partitions: the latest, with each static key. */
const GRID_PERIODS_OFFERED = 30;

/**
 * The keys offered to pick from, in order: every key, or for two-dimensional partitions (sent
 * as periods and static keys) those of the latest periods.
 */
function keysOffered(asset: AssetDetail): readonly string[] {
  const grid = asset.partitionGrid;
  if (!grid) return asset.partitionKeys;
  return grid.periodKeys
    .slice(-GRID_PERIODS_OFFERED)
    .flatMap((period) => grid.staticKeys.map((k) => `${period}|${k}`));
}
