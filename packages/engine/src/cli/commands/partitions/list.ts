import type { Definitions } from "../../../definitions/definitions";
import type { Runtime } from "../../../runtime/runtime";
import type { CliIo } from "../../context";
import { table } from "../../format";

/**
 * `lignee partitions list [NAME]`: the keys of a dynamic partitions set in the order they were
 * added (with their indices); without NAME, every set the definitions declare and its key count.
 */
export async function partitionsListCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  name: string | undefined,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  if (name === undefined) {
    const names = definitions.dynamicPartitionsNames;
    const snapshot = await runtime.storage.readDynamicPartitions(names);
    const sets = names.map((n) => ({
      name: n,
      keyCount: snapshot.dynamicPartitionKeys(n).indices.size,
    }));
    if (options.json) io.out(JSON.stringify({ sets }, null, 2));
    else if (sets.length === 0) io.out("No asset declares dynamic partitions.");
    else io.out(table([["SET", "KEYS"], ...sets.map((s) => [s.name, String(s.keyCount)])]));
    return 0;
  }
  definitions.requireDynamicPartitionsSet(name);
  const keys = (await runtime.storage.readDynamicPartitions([name])).dynamicPartitionKeys(name);
  const rows = [...keys.indices].map((index) => ({ key: keys.keyOf(index)!, index }));
  if (options.json) io.out(JSON.stringify({ name, keys: rows }, null, 2));
  else if (rows.length === 0) io.out(`${name} has no key yet.`);
  else io.out(rows.map((r) => r.key).join("\n"));
  return 0;
}
