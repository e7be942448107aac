import type { AssetKey } from "../graph/asset-key";
import type { AssetGraph } from "../graph/asset-graph";
import { resolveSelection } from "../graph/selection";
import { cronProblem } from "./cron";
import type { ScheduleDefinition } from "./schedule";
import { EAGER_TICK_NAME, type SensorDefinition } from "./sensor";

/** Schedule and sensor names: they appear in URLs and tags. */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;

/**
 * Every problem with the schedules and sensors of a set of definitions, in words. `graph` is
 * undefined when the assets themselves are invalid: selections are then not checked.
 */
export function automationProblems(
  schedules: readonly ScheduleDefinition[],
  sensors: readonly SensorDefinition[],
  graph: AssetGraph | undefined,
  isPartitioned: (key: AssetKey) => boolean,
): string[] {
  const problems: string[] = [];
  const selected = (owner: string, selection: unknown): AssetKey[] | undefined => {
    if (typeof selection !== "string" || selection.trim().length === 0) {
      problems.push(`${owner} has no selection`);
      return undefined;
    }
    if (!graph) return undefined;
    try {
      return resolveSelection(graph, selection);
    } catch (error) {
      problems.push(`${owner}: ${(error as Error).message}`);
      return undefined;
    }
  };

  const scheduleNames = new Set<string>();
  for (const s of schedules) {
    const owner = `schedule "${s.name}"`;
    if (typeof s.name !== "string" || !NAME.test(s.name)) {
      problems.push(
        `invalid schedule name "${s.name}" (letters, digits, _ . -, starting with a letter)`,
      );
    } else if (scheduleNames.has(s.name)) problems.push(`duplicate schedule name "${s.name}"`);
    scheduleNames.add(s.name);
    const cron = cronProblem(s.cron, s.timezone);
    if (cron) problems.push(`${owner}: ${cron}`);
    if (s.partition !== undefined && typeof s.partition !== "function") {
      problems.push(`${owner}: partition must be a function of the scheduled time`);
    }
    const keys = selected(owner, s.selection);
    const partitioned = keys?.filter(isPartitioned) ?? [];
    if (s.partition === undefined && partitioned.length > 0) {
      problems.push(
        `${owner}: its selection has partitioned assets (${partitioned.join(", ")}) but it has no partition function`,
      );
    }
  }

  const sensorNames = new Set<string>();
  for (const s of sensors) {
    const owner = `sensor "${s.name}"`;
    if (typeof s.name !== "string" || !NAME.test(s.name)) {
      problems.push(
        `invalid sensor name "${s.name}" (letters, digits, _ . -, starting with a letter)`,
      );
    } else if (s.name === EAGER_TICK_NAME) {
      problems.push(`sensor name "${EAGER_TICK_NAME}" is reserved for eager automation`);
    } else if (sensorNames.has(s.name)) problems.push(`duplicate sensor name "${s.name}"`);
    sensorNames.add(s.name);
    if (typeof s.evaluate !== "function") problems.push(`${owner} has no evaluate function`);
    if (!Number.isFinite(s.intervalMs) || s.intervalMs < 0) {
      problems.push(`${owner}: intervalMs must be a non-negative number`);
    }
    selected(owner, s.selection);
  }
  return problems;
}
