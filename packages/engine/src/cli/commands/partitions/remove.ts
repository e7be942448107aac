import type { Definitions } from "../../../definitions/definitions";
import type { Runtime } from "../../../runtime/runtime";
import type { CliIo } from "../../context";

/**
 * `lignee partitions remove NAME KEY…`: removes keys from a dynamic partitions set, all or none
 * (an unknown set or a key not in it: exit 2, nothing removed). Their partitions no longer count
 * in status; their materialisations stay in the history.
 */
export async function partitionsRemoveCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  name: string,
  keys: readonly string[],
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  definitions.requireDynamicPartitionsSet(name);
  const removed = await runtime.storage.removeDynamicPartitions(name, keys);
  if (options.json) io.out(JSON.stringify({ name, removed }, null, 2));
  else io.out(`Removed ${removed.length} key(s) from ${name}: ${removed.join(", ")}`);
  return 0;
}
