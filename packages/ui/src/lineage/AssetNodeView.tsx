import { Handle, Position, useStore, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { Link } from "wouter";
import { assetPath } from "../api/client";
import type { AssetNode } from "../api/types";
import { healthHeadline } from "../assets/AssetHealthSummary";
import { describeCounts } from "../format";
import { FreshnessBadge } from "../components/FreshnessBadge";
import { useLineageActions, useNodeHighlight } from "./lineage-state";

export type AssetFlowNode = Node<{ asset: AssetNode }, "asset">;
export type LaneFlowNode = Node<{ group: string; count: number }, "lane">;

/** Below this zoom the labels are unreadable anyway: nodes draw as plain status blocks. */
const COMPACT_ZOOM = 0.45;

/** One asset on the lineage: status colour, name, partition counts, failed checks. */
export const AssetNodeView = memo(function AssetNodeView({
  id,
  data,
  selected,
}: NodeProps<AssetFlowNode>) {
  const compact = useStore((s) => s.transform[2] < COMPACT_ZOOM);
  const highlight = useNodeHighlight(id);
  const { asset } = data;
  const slash = asset.key.lastIndexOf("/");
  const prefix = slash >= 0 ? asset.key.slice(0, slash + 1) : "";
  const name = asset.key.slice(slash + 1);
  const failedChecks = asset.checks.failed.length;
  // A partitioned asset is coloured by its worst partition state that needs action (a few fresh
  // days among hundreds missing are not "fresh"); its headline is in the tooltip.
  const colour = asset.partitioned ? asset.health.worst : asset.status;
  const causes = asset.causes.map((c) => c.description).join("\n");
  const headline = asset.partitioned ? healthHeadline(asset.health) : asset.status.toLowerCase();
  return (
    <div
      className={`asset-node status-${colour.toLowerCase()}${selected ? " selected" : ""}${compact ? " compact" : ""}${highlight ? ` ${highlight}` : ""}${asset.freshness?.state === "overdue" ? " overdue" : ""}`}
      data-testid="asset-node"
      data-asset-key={asset.key}
      data-status={asset.status}
      data-worst={colour}
      data-freshness={asset.freshness?.state}
      title={causes ? `${headline}\n${causes}` : headline}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      {!compact && (
        <>
          {asset.freshness?.state === "overdue" && (
            <FreshnessBadge freshness={asset.freshness} className="node-freshness nodrag" />
          )}
          <div className="asset-node-title">
            <span className="status-dot" />
            <Link href={`/assets/${assetPath(asset.key)}`} className="nodrag asset-link">
              <span className="prefix">{prefix}</span>
              {name}
            </Link>
          </div>
          <div className="asset-node-meta">
            <span data-testid="asset-node-counts">
              {asset.partitioned
                ? describeCounts(asset.counts) || "no partitions yet"
                : asset.status.toLowerCase()}
            </span>
            {failedChecks > 0 && (
              <span className="checks-failed">{failedChecks} check(s) failed</span>
            )}
          </div>
        </>
      )}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

/** The box of an asset group behind its assets, with a button to collapse it into one node. */
export const LaneView = memo(function LaneView({ data }: NodeProps<LaneFlowNode>) {
  const { toggleGroup } = useLineageActions();
  return (
    <div className="lane" data-testid="group-lane" data-group={data.group}>
      <span className="lane-title">
        {data.group} <span className="muted">· {data.count}</span>
        <button
          className="group-toggle nodrag nopan"
          data-testid="group-collapse"
          data-group={data.group}
          title={`Collapse ${data.group} into one node`}
          onClick={() => toggleGroup(data.group)}
        >
          Collapse
        </button>
      </span>
    </div>
  );
});
