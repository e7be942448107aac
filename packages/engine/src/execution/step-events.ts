import type { Logger } from "../definitions/asset";
import type { PlanStep, StepMember } from "../planning/plan";
import type { EventLevel, RunEvent } from "./events";

/** `raw/offres[2024-08-01]`, `raw/offres[2024-08-01…2024-08-31]`: a member and its partitions. */
export function memberLabel(m: StepMember): string {
  const keys = m.partitionKeys;
  if (keys.length === 0) return m.assetKey;
  return keys.length === 1
    ? `${m.assetKey}[${keys[0]}]`
    : `${m.assetKey}[${keys[0]}…${keys[keys.length - 1]}]`;
}

export function memberLogger(step: PlanStep, m: StepMember, emit: (e: RunEvent) => void): Logger {
  const log =
    (level: EventLevel) =>
    (message: string): void =>
      emit(memberEvent(step, m, "LOG", level, String(message)));
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

/** An event about one member of a step (its asset and partitions). */
export function memberEvent(
  step: PlanStep,
  m: StepMember,
  type: RunEvent["type"],
  level: EventLevel,
  message: string,
  data?: Record<string, unknown>,
): RunEvent {
  return stepEvent(
    { ...step, assetKey: m.assetKey, partitions: m.partitions, partitionKeys: m.partitionKeys },
    type,
    level,
    message,
    data,
  );
}

export function stepLogger(step: PlanStep, emit: (e: RunEvent) => void): Logger {
  const log =
    (level: EventLevel) =>
    (message: string): void =>
      emit(stepEvent(step, "LOG", level, String(message)));
  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export function stepEvent(
  step: PlanStep,
  type: RunEvent["type"],
  level: EventLevel,
  message: string,
  data?: Record<string, unknown>,
): RunEvent {
  const keys = step.partitionKeys;
  const partitionKeyText =
    keys.length === 0
      ? undefined
      : keys.length === 1
        ? keys[0]
        : `${keys[0]}…${keys[keys.length - 1]}`;
  return {
    type,
    level,
    message,
    stepKey: step.key,
    assetKey: step.assetKey,
    ...(partitionKeyText !== undefined ? { partitionKey: partitionKeyText } : {}),
    ...(data !== undefined ? { data } : {}),
    timestamp: new Date(),
  };
}
