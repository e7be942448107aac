import type { Definitions } from "../../definitions/definitions";
import { SelectionError } from "../../errors";
import type { Runtime } from "../../runtime/runtime";
import { requireCheck } from "../../server/check-view";
import type { CliIo } from "../context";
import { osUser } from "../os-user";
import { materializeCommand, type MaterializeOptions } from "./materialize";

export interface CheckOptions extends Omit<
  MaterializeOptions,
  "select" | "stale" | "withUpstream" | "checksOnly"
> {
  readonly select?: string;
  /** `ASSET:NAME` to switch off. */
  readonly disable?: string;
  /** `ASSET:NAME` to switch on. */
  readonly enable?: string;
}

/**
 * `lignee check`: with `--select`, a run that evaluates the selected assets' checks on the
 * given partitions and materialises nothing (exit 1 when an `error` check fails); with
 * `--disable`/`--enable ASSET:NAME`, switches one check off or on. Bad input (no check in the
 * selection, an unknown check, a malformed name) exits 2 and changes nothing.
 */
export async function checkCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: CheckOptions,
  io: CliIo,
): Promise<number> {
  const switches = [options.disable, options.enable].filter((s) => s !== undefined);
  if (switches.length > 1 || (switches.length === 1 && options.select !== undefined))
    throw new SelectionError("give one of --select, --disable or --enable");
  const target = options.disable ?? options.enable;
  if (target !== undefined) {
    const { assetKey, checkName } = parseCheckId(target);
    await requireCheck(definitions, runtime.storage, assetKey, checkName);
    const enabled = options.enable !== undefined;
    await runtime.storage.setCheckEnabled({
      assetKey,
      checkName,
      enabled,
      updatedBy: `cli:${osUser()}`,
    });
    if (options.json) io.out(JSON.stringify({ assetKey, name: checkName, enabled }));
    else io.out(`check ${assetKey}:${checkName} ${enabled ? "enabled" : "disabled"}`);
    return 0;
  }
  if (options.select === undefined)
    throw new SelectionError("give --select SEL (checks to run), --disable or --enable ASSET:NAME");
  return materializeCommand(
    definitions,
    runtime,
    { ...options, select: options.select, checksOnly: true },
    io,
  );
}

/** `raw/offres:unique_ids` → its asset and check (asset keys hold no colon). */
export function parseCheckId(value: string): { assetKey: string; checkName: string } {
  const at = value.lastIndexOf(":");
  if (at <= 0 || at === value.length - 1)
    throw new SelectionError(`expected ASSET:NAME (e.g. raw/offres:unique_ids), got "${value}"`);
  return { assetKey: value.slice(0, at), checkName: value.slice(at + 1) };
}
