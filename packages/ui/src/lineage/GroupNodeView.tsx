import { Handle, Position, type Node, type NodeProps } from "@xyflow/react";
import { memo } from "react";
import { ASSET_STATUSES, type AssetStatus } from "../api/types";
import { formatNumber } from "../format";
import { useLineageActions, useNodeHighlight } from "./lineage-state";

export type GroupCounts = Readonly<Partial<Record<AssetStatus, number>>>;
export type GroupFlowNode = Node<
  { group: string; count: number; counts: GroupCounts; overdue: number },
  "group"
>;

/** From the state that most needs action to the least: the colour of a collapsed group. */
const URGENCY: readonly AssetStatus[] = ["FAILED", "STALE", "MISSING", "RUNNING", "FRESH"];

export function worstStatus(counts: GroupCounts): AssetStatus {
  return URGENCY.find((s) => (counts[s] ?? 0) > 0) ?? "MISSING";
}

/** A collapsed asset group: its name, how many assets, their statuses as a bar, and Expand. */
export const GroupNodeView = memo(function GroupNodeView({ id, data }: NodeProps<GroupFlowNode>) {
  const { toggleGroup } = useLineageActions();
  const highlight = useNodeHighlight(id);
  const worst = worstStatus(data.counts);
  const statuses = ASSET_STATUSES.filter((s) => (data.counts[s] ?? 0) > 0);
  return (
    <div
      className={`group-node status-${worst.toLowerCase()}${highlight ? ` ${highlight}` : ""}`}
      data-testid="group-node"
      data-group={data.group}
      data-count={data.count}
      data-status={worst}
      data-overdue={data.overdue}
      title={[
        ...statuses.map((s) => `${data.counts[s]} ${s.toLowerCase()}`),
        ...(data.overdue > 0 ? [`${data.overdue} overdue`] : []),
      ].join(", ")}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="group-node-title">
        <span className="status-dot" />
        <span className="group-node-name">{data.group}</span>
        <button
          className="group-toggle nodrag nopan"
          data-testid="group-expand"
          title={`Expand ${data.group}`}
          onClick={() => toggleGroup(data.group)}
        >
          Expand
        </button>
      </div>
      <div className="group-node-meta">
        <span className="muted">{formatNumber(data.count)} assets</span>
        {data.overdue > 0 && (
          <span className="group-overdue" data-testid="group-overdue">
            {formatNumber(data.overdue)} overdue
          </span>
        )}
        <div className="group-health" data-testid="group-health">
          {statuses.map((s) => (
            <span
              key={s}
              className={`group-health-segment status-${s.toLowerCase()}`}
              style={{ flexGrow: data.counts[s] }}
            />
          ))}
        </div>
      </div>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});
