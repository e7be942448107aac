import { useState } from "react";
import { Link, useLocation } from "wouter";
import { api, assetPath } from "../api/client";
import { useAssetDetail, useMaterializations, useStartRun } from "../api/queries";
import type { AssetDetail, RunRequest } from "../api/types";
import { BackfillDialog } from "../backfills/BackfillDialog";
import { MaterializeDialog } from "../lineage/MaterializeDialog";
import { ErrorLine } from "../components/ErrorLine";
import { StatusBadge } from "../components/StatusBadge";
import { FreshnessBadge } from "../components/FreshnessBadge";
import { TableHead } from "../components/TableHead";
import { useConfirmedLaunch } from "../components/useConfirmedLaunch";
import { describeCounts, formatNumber, formatTime, shortId } from "../format";
import { AssetHealthSummary } from "./AssetHealthSummary";
import { CheckResultsTable } from "./CheckResultsTable";
import { ChecksPanel } from "./ChecksPanel";
import { DbtModelPanel } from "./DbtModelPanel";
import { HealthBar, type PartitionRange } from "./HealthBar";
import { HealthGrid } from "./HealthGrid";
import { PartitionDetail } from "./PartitionDetail";
import { RowCountChart } from "./RowCountChart";

/** One asset: status and causes, partitions, history, checks, code version, neighbours. */
export function AssetPage({ assetKey }: { assetKey: string }) {
  const detail = useAssetDetail(assetKey);
  if (detail.error) return <ErrorLine error={detail.error} />;
  if (!detail.data) return <p className="loading">Loading {assetKey}…</p>;
  return <Asset asset={detail.data} />;
}

function Asset({ asset }: { asset: AssetDetail }) {
  const [, navigate] = useLocation();
  const startRun = useStartRun();
  const [range, setRange] = useState<PartitionRange | undefined>();
  const [backfilling, setBackfilling] = useState(false);
  const [configuring, setConfiguring] = useState(false);
  const [opened, setOpened] = useState<string | undefined>();
  const history = useMaterializations(asset.key, asset.partitioned);

  const launch = (request: RunRequest) =>
    startRun.mutate(request, { onSuccess: ({ runId }) => navigate(`/runs/${runId}`) });
  // Every launch asks the server first what it would do, and asks the user when it is large.
  const confirmed = useConfirmedLaunch(api.previewRun, launch);
  // An asset that takes config is launched through the config form, from every button.
  const [withConfig, setWithConfig] = useState<RunRequest | undefined>();
  const start = (request: RunRequest) =>
    asset.configSchema ? setWithConfig(request) : confirmed.request(request);
  const { health } = asset;
  // Partitions waiting on upstream cannot be built by "Materialise stale": not counted.
  // Nor those held by a failed check upstream or a change of partitions: stale requests leave
  // them out.
  const held = health.held ?? 0;
  const staleCount = health.missing + health.stale + health.failed - health.waiting - held;
  const busy = startRun.isPending || confirmed.checking;

  return (
    <div className="asset-page" data-testid="asset-page" data-asset-key={asset.key}>
      <div className="page-head">
        <h1>{asset.key}</h1>
        {asset.partitioned ? (
          <AssetHealthSummary health={health} />
        ) : (
          <StatusBadge status={asset.status} />
        )}
        <FreshnessBadge freshness={asset.freshness} testId="asset-freshness" />
        <span className="muted">group {asset.group}</span>
        <span className="spacer" />
        {asset.configSchema ? (
          <button
            data-testid="materialize-asset"
            disabled={busy}
            onClick={() => setConfiguring(true)}
            title="Choose the partitions and the run's config"
          >
            Materialise…
          </button>
        ) : (
          !asset.partitioned && (
            <button
              data-testid="materialize-asset"
              disabled={busy}
              onClick={() => confirmed.request({ selection: asset.key })}
            >
              Materialise
            </button>
          )
        )}
        <button
          data-testid="materialize-asset-stale"
          disabled={busy || staleCount === 0}
          onClick={() => start({ selection: asset.key, stale: true })}
          title={
            health.waiting > 0 || held > 0
              ? `Materialise the missing, stale and failed partitions; ${[
                  ...(health.waiting > 0
                    ? [`${formatNumber(health.waiting)} waiting on upstream`]
                    : []),
                  ...(held > 0
                    ? [`${formatNumber(held)} held by a failed check or a change of partitions`]
                    : []),
                ].join(" and ")} are left out`
              : "Materialise the missing, stale and failed partitions"
          }
        >
          Materialise stale
          {asset.partitioned && staleCount > 0
            ? ` (${formatNumber(staleCount)} partition${staleCount === 1 ? "" : "s"})`
            : ""}
        </button>
        {health.waiting > 0 && (
          <button
            data-testid="materialize-with-upstream"
            disabled={busy}
            onClick={() =>
              start({ selection: asset.key, stale: true, includeMissingUpstream: true })
            }
            title="Materialise the partitions waiting on upstream too, with the missing upstream partitions they read"
          >
            With missing upstream ({formatNumber(health.waiting)} waiting)
          </button>
        )}
      </div>
      {confirmed.dialog}
      {configuring && <MaterializeDialog assets={[asset]} onClose={() => setConfiguring(false)} />}
      {withConfig && (
        <MaterializeDialog
          assets={[asset]}
          request={withConfig}
          onClose={() => setWithConfig(undefined)}
        />
      )}
      {confirmed.error !== undefined && <ErrorLine error={confirmed.error} />}
      {asset.description && <p className="description">{asset.description}</p>}
      {startRun.error && (
        <ErrorLine
          error={startRun.error}
          onConfirm={() => startRun.variables && launch({ ...startRun.variables, confirm: true })}
        />
      )}

      <section>
        <h2>Status</h2>
        <p data-testid="asset-status-text">{statusSentence(asset)}</p>
        {asset.causes.length > 0 && (
          <ul className="causes" data-testid="stale-causes">
            {asset.causes.map((c) => (
              <li key={c.kind + c.description}>
                {c.description}
                {asset.partitioned && (
                  <span className="muted">
                    {" "}
                    — {formatNumber(c.count)} partition{c.count > 1 ? "s" : ""}:{" "}
                    {c.ranges
                      .slice(0, 4)
                      .map(([f, t]) => (f === t ? f : `${f} … ${t}`))
                      .join(", ")}
                    {c.ranges.length > 4 ? ", …" : ""}
                  </span>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      {asset.partitioned && (
        <section>
          <h2>Partitions</h2>
          <p className="muted">{asset.partitions}</p>
          {asset.partitionGrid ? (
            <HealthGrid
              grid={asset.partitionGrid}
              ranges={asset.ranges}
              waitingRanges={asset.waitingRanges}
              onOpen={setOpened}
            />
          ) : (
            <HealthBar
              keys={asset.partitionKeys}
              ranges={asset.ranges}
              waitingRanges={asset.waitingRanges}
              selection={range}
              onSelect={setRange}
              onOpen={setOpened}
            />
          )}
          {/* A grid opens partitions one at a time: ranges are selected on a bar. */}
          {!asset.partitionGrid && (
            <div className="range-actions">
              <span data-testid="health-selection">
                {range
                  ? `${formatNumber(range.count)} partition${range.count > 1 ? "s" : ""}: ${range.from}${range.count > 1 ? ` → ${range.to}` : ""}`
                  : "No partitions selected"}
              </span>
              {range && (
                <>
                  <button className="link-button" onClick={() => setRange(undefined)}>
                    Clear
                  </button>
                  <button
                    data-testid="materialize-range"
                    disabled={busy}
                    onClick={() =>
                      start(
                        range.count === 1
                          ? { selection: asset.key, partition: range.from }
                          : { selection: asset.key, from: range.from, to: range.to },
                      )
                    }
                  >
                    Materialise {formatNumber(range.count)} partition{range.count > 1 ? "s" : ""}
                  </button>
                  <button
                    data-testid="backfill-button"
                    onClick={() => setBackfilling(true)}
                    title="Run these partitions in chunks queued for the workers"
                  >
                    Backfill…
                  </button>
                </>
              )}
            </div>
          )}
          {opened !== undefined && (
            <PartitionDetail
              assetKey={asset.key}
              partitionKey={opened}
              materializing={startRun.isPending}
              onMaterialize={() => {
                if (!asset.configSchema) return launch({ selection: asset.key, partition: opened });
                // The config form replaces the partition's dialog.
                setOpened(undefined);
                setWithConfig({ selection: asset.key, partition: opened });
              }}
              onClose={() => setOpened(undefined)}
            />
          )}
          {backfilling && range && (
            <BackfillDialog asset={asset} range={range} onClose={() => setBackfilling(false)} />
          )}
        </section>
      )}

      <section>
        <h2>{asset.partitioned ? "Row counts by partition" : "Row counts over time"}</h2>
        {history.error ? (
          <ErrorLine error={history.error} />
        ) : history.data ? (
          <RowCountChart
            materializations={history.data.materializations}
            partitioned={asset.partitioned}
            partitionKeys={asset.partitionKeys}
          />
        ) : (
          <p className="loading">Loading history…</p>
        )}
      </section>

      <section>
        <h2>Latest materialisations</h2>
        {asset.materializations.length === 0 ? (
          <p className="muted">Never materialised.</p>
        ) : (
          <table className="table" data-testid="materializations">
            <TableHead
              columns={[
                "When",
                ...(asset.partitioned ? ["Partition"] : []),
                "Run",
                "Code version",
                "Metadata",
              ]}
            />
            <tbody>
              {asset.materializations.map((m) => (
                <tr key={m.id}>
                  <td>{formatTime(m.createdAt)}</td>
                  {asset.partitioned && (
                    <td>
                      <button
                        className="link-button partition-link"
                        data-testid="open-partition"
                        data-partition={m.partitionKey}
                        onClick={() => setOpened(m.partitionKey)}
                      >
                        {m.partitionKey}
                      </button>
                    </td>
                  )}
                  <td>
                    <Link href={`/runs/${m.runId}`}>{shortId(m.runId)}</Link>
                  </td>
                  <td className="mono">{m.codeVersion.slice(0, 12)}</td>
                  <td>
                    {/* A flex box inside the cell: the cell itself stays a table cell. */}
                    <div className="metadata">
                      {Object.entries(m.metadata).map(([k, v]) => (
                        <span key={k}>
                          <span className="muted">{k}</span> {formatValue(v)}
                        </span>
                      ))}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section data-testid="checks-section">
        <h2>Checks</h2>
        <ChecksPanel assetKey={asset.key} partitioned={asset.partitioned} />
        {asset.checks.length > 0 && (
          <details>
            <summary className="muted">Latest result of each check and partition</summary>
            <CheckResultsTable checks={asset.checks} testId="checks" withRun />
          </details>
        )}
      </section>

      <DbtModelPanel columns={asset.columns} code={asset.code} />

      <section className="two-columns">
        <div>
          <h2>Upstream</h2>
          <AssetLinks keys={asset.deps} testId="upstream" />
        </div>
        <div>
          <h2>Downstream</h2>
          <AssetLinks keys={asset.dependents} testId="downstream" />
        </div>
        <div>
          <h2>Definition</h2>
          <dl className="definition">
            <dt>Code version</dt>
            <dd className="mono" data-testid="code-version">
              {asset.codeVersion}
            </dd>
            <dt>Partitions</dt>
            <dd>{asset.partitions}</dd>
            {Object.entries(asset.tags).map(([k, v]) => (
              <span key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </span>
            ))}
          </dl>
        </div>
      </section>
      <p>
        <Link href={`/runs?asset=${encodeURIComponent(asset.key)}`}>Runs of this asset →</Link>
      </p>
    </div>
  );
}

function AssetLinks({ keys, testId }: { keys: readonly string[]; testId: string }) {
  if (keys.length === 0) return <p className="muted">None.</p>;
  return (
    <ul className="links" data-testid={testId}>
      {keys.map((k) => (
        <li key={k}>
          <Link href={`/assets/${assetPath(k)}`}>{k}</Link>
        </li>
      ))}
    </ul>
  );
}

function statusSentence(asset: AssetDetail): string {
  if (!asset.partitioned) {
    switch (asset.status) {
      case "FRESH":
        return "Up to date with its code and upstream data.";
      case "MISSING":
        return "Never materialised.";
      case "FAILED":
        return "The last materialisation failed.";
      case "RUNNING":
        return "Being materialised now.";
      case "STALE":
        return "Stale: see why below.";
    }
  }
  return `${formatNumber(asset.total)} partitions: ${describeCounts(asset.counts) || "none yet"}.`;
}

function formatValue(v: unknown): string {
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v.length > 60 ? `${v.slice(0, 57)}…` : v;
  return JSON.stringify(v);
}
