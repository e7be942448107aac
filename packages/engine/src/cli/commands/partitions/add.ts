import type { Definitions } from "../../../definitions/definitions";
import type { Runtime } from "../../../runtime/runtime";
import type { CliIo } from "../../context";

/**
 * `lignee partitions add NAME KEY…`: adds keys to a dynamic partitions set, all or none (an
 * unknown set, a bad key or a key already there: exit 2, nothing added).
 */
export async function partitionsAddCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  name: string,
  keys: readonly string[],
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  definitions.requireDynamicPartitionsSet(name);
  const { added } = await runtime.storage.addDynamicPartitions(name, keys);
  if (options.json) io.out(JSON.stringify({ name, added }, null, 2));
  else io.out(`Added ${added.length} key(s) to ${name}: ${added.join(", ")}`);
  return 0;
}
