import type {
  GroupMaterializeContext,
  MaterializeContext,
  MaterializeResult,
} from "../definitions/asset";
import { configOf } from "../definitions/run-config";
import { UserCodeError } from "../errors";
import { timeWindowOf } from "../partitions/definition";
import { stepMembers, type PlanStep } from "../planning/plan";
import type { ExecuteOptions } from "./executor";
import { memberLogger, stepLogger } from "./step-events";

/** What user code gave for one member of a step. */
export type MemberOutcome =
  | { readonly ok: true; readonly result: MaterializeResult | void }
  | { readonly ok: false; readonly error: unknown };

/**
 * The one boundary around user code: an asset's `materialize`, or a runner for a group of
 * assets. Whatever it throws becomes a UserCodeError (with the cause kept).
 */
export async function callUserCode(
  step: PlanStep,
  attempt: number,
  options: ExecuteOptions,
  signal: AbortSignal,
  /** A group runner's `ctx.committed`. */
  committed?: (assetKey: string) => void,
): Promise<Map<string, MemberOutcome>> {
  const members = stepMembers(step);
  const first = options.definitions.get(members[0]!.assetKey);
  const runner = first.runner;
  try {
    signal.throwIfAborted();
    if (runner) {
      const ctx: GroupMaterializeContext<unknown> = {
        runId: options.runId,
        attempt,
        members: members.map((m) => ({
          assetKey: m.assetKey,
          partitionKeys: m.partitionKeys,
          partitionKeyRange: keyRange(m.partitionKeys),
          config: configOf(options.config, m.assetKey),
        })),
        log: stepLogger(step, options.emit),
        logFor: (assetKey) => {
          const m = members.find((x) => x.assetKey === assetKey);
          return m ? memberLogger(step, m, options.emit) : stepLogger(step, options.emit);
        },
        signal,
        resources: options.resources,
        ...(committed ? { committed } : {}),
      };
      const results = await runner.run(ctx);
      return new Map(
        members.map((m): [string, MemberOutcome] => {
          const r = results[m.assetKey];
          if (!r)
            return [
              m.assetKey,
              { ok: false, error: new Error(`${runner.key} reported nothing for ${m.assetKey}`) },
            ];
          return [
            m.assetKey,
            r.ok
              ? {
                  ok: true,
                  result: {
                    ...(r.metadata ? { metadata: r.metadata } : {}),
                    ...(r.partitionMetadata ? { partitionMetadata: r.partitionMetadata } : {}),
                    ...(r.dataVersion ? { dataVersion: r.dataVersion } : {}),
                    ...(r.checks ? { checks: r.checks } : {}),
                  },
                }
              : { ok: false, error: r.error },
          ];
        }),
      );
    }
    const def = first.partitions;
    const lo = step.partitions.first;
    const hi = step.partitions.last;
    const keys = step.partitionKeys;
    const ctx: MaterializeContext<unknown> = {
      assetKey: first.key,
      runId: options.runId,
      attempt,
      partitionKey: keys.length === 1 ? keys[0] : undefined,
      partitionKeys: keys,
      partitionKeyRange: keyRange(keys),
      partitionTimeWindow:
        lo !== undefined && hi !== undefined ? timeWindowOf(def, lo, hi) : undefined,
      log: stepLogger(step, options.emit),
      signal,
      resources: options.resources,
      runTags: options.tags ?? {},
      config: configOf(options.config, first.key),
      addDynamicPartitions: async (name, keys) => {
        options.definitions.requireDynamicPartitionsSet(name);
        const { added } = await options.storage.addDynamicPartitions(name, keys, {
          existing: "skip",
        });
        return added;
      },
    };
    const result = await first.materialize!(ctx);
    return new Map([[first.key, { ok: true, result }]]);
  } catch (error) {
    throw new UserCodeError(first.key, error);
  }
}

function keyRange(keys: readonly string[]): { start: string; end: string } | undefined {
  return keys.length > 0 ? { start: keys[0]!, end: keys[keys.length - 1]! } : undefined;
}
