import type { ScheduleDefinition } from "../definitions/schedule";
import { InvalidPartitionError } from "../errors";
import { partitionRequestOf, type PartitionRequest } from "../planning/partition-request";

/**
 * The partitions a tick of the schedule asks for. A function that throws, or returns something
 * that is not a key or a request, is reported as InvalidPartitionError (the tick fails, no run).
 */
export function schedulePartitionRequest(
  schedule: ScheduleDefinition,
  scheduledAt: Date,
): PartitionRequest {
  if (!schedule.partition) return { kind: "none" };
  let value: unknown;
  try {
    value = schedule.partition(scheduledAt);
  } catch (error) {
    throw new InvalidPartitionError(
      `schedule "${schedule.name}": its partition function failed: ${(error as Error).message}`,
    );
  }
  return partitionRequestOf(value, `schedule "${schedule.name}"`);
}
