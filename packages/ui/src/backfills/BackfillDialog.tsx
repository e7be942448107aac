import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useLocation } from "wouter";
import { api } from "../api/client";
import { useStartBackfill } from "../api/queries";
import type { AssetNode, BackfillRequest, ChunkSizeBounds } from "../api/types";
import type { PartitionRange } from "../assets/HealthBar";
import { ErrorLine } from "../components/ErrorLine";
import { formatNumber } from "../format";
import { Dialog, DialogActions } from "../components/Dialog";
import { useConfirmedLaunch } from "../components/useConfirmedLaunch";
import { useRunConfig } from "../components/useRunConfig";

/** The server's bounds on partitions per run (the type checks them against the engine's). */
const CHUNK_SIZE: ChunkSizeBounds = { default: 10, max: 10_000 };

/**
 * Launches a backfill of a range of an asset's partitions: runs of `chunk size` partitions each,
 * queued for the workers, optionally with everything downstream (`key+`).
 */
export function BackfillDialog({
  asset,
  range,
  onClose,
}: {
  /** With its config schema: an asset that takes config gets the form of a launch. */
  asset: Pick<AssetNode, "key" | "configSchema">;
  range: PartitionRange;
  onClose: () => void;
}) {
  const assetKey = asset.key;
  const runConfig = useRunConfig(useMemo(() => [asset], [asset]));
  const { showServerError } = runConfig;
  const [, navigate] = useLocation();
  const startBackfill = useStartBackfill();
  const [chunkText, setChunkText] = useState(String(CHUNK_SIZE.default));
  const [downstream, setDownstream] = useState(false);
  const chunkSize = Number(chunkText);
  const valid = Number.isInteger(chunkSize) && chunkSize >= 1 && chunkSize <= CHUNK_SIZE.max;
  const runs = valid ? Math.ceil(range.count / chunkSize) : undefined;
  const request: BackfillRequest = {
    selection: downstream ? `${assetKey}+` : assetKey,
    from: range.from,
    to: range.to,
    chunkSize,
  };
  const launch = (body: BackfillRequest) =>
    startBackfill.mutate(body, {
      onSuccess: ({ backfillId }) => navigate(`/backfills/${backfillId}`),
    });
  const confirmed = useConfirmedLaunch(api.previewBackfill, launch);
  // The server's validation is the truth: what it refuses is shown next to the fields too.
  useEffect(() => showServerError(confirmed.error), [confirmed.error, showServerError]);
  useEffect(() => showServerError(startBackfill.error), [startBackfill.error, showServerError]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    const config = runConfig.read();
    if (config) confirmed.request({ ...request, ...config });
  };
  return (
    <Dialog label="Backfill" testId="backfill-dialog" onClose={onClose}>
      <h3>Backfill {assetKey}</h3>
      <p>
        {formatNumber(range.count)} partition{range.count > 1 ? "s" : ""}: {range.from}
        {range.count > 1 ? ` → ${range.to}` : ""}
      </p>
      <form onSubmit={submit}>
        <div className="backfill-inputs">
          <label>
            Partitions per run{" "}
            <input
              type="number"
              min={1}
              max={CHUNK_SIZE.max}
              step={1}
              value={chunkText}
              onChange={(e) => setChunkText(e.target.value)}
              data-testid="backfill-chunk-size"
              autoFocus
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={downstream}
              onChange={(e) => setDownstream(e.target.checked)}
              data-testid="backfill-downstream"
            />{" "}
            Include downstream assets
          </label>
        </div>
        {runConfig.form}
        <p className="muted" data-testid="backfill-summary">
          {runs !== undefined
            ? `${formatNumber(runs)} run${runs > 1 ? "s" : ""} of ${request.selection}, queued for the workers.`
            : `Partitions per run: a whole number from 1 to ${formatNumber(CHUNK_SIZE.max)}.`}
        </p>
        {startBackfill.error && (
          <ErrorLine
            error={startBackfill.error}
            onConfirm={() =>
              startBackfill.variables && launch({ ...startBackfill.variables, confirm: true })
            }
          />
        )}
        {confirmed.error !== undefined && <ErrorLine error={confirmed.error} />}
        {confirmed.dialog}
        <DialogActions
          submit="Launch backfill"
          testId="launch-backfill"
          disabled={!valid || startBackfill.isPending || confirmed.checking}
          onCancel={onClose}
        />
      </form>
    </Dialog>
  );
}
