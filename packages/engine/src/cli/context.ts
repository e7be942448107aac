import { alertSettings } from "../alerts/alert-settings";
import type { Definitions } from "../definitions/definitions";
import { ReloadableDefinitions } from "../reload/reloadable-definitions";
import { openRuntime, type Runtime } from "../runtime/runtime";
import { loadDefinitions, loadDefinitionsModule } from "./load-definitions";

export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only there). */
  readonly interactive: boolean;
}

export interface GlobalOptions {
  readonly definitions?: string;
}

/** Loads definitions first (bad definitions fail before any database starts), then the runtime. */
export async function withRuntime<T>(
  options: GlobalOptions,
  io: CliIo,
  work: (definitions: Definitions<unknown>, runtime: Runtime) => Promise<T>,
): Promise<T> {
  const definitions = await loadDefinitions(options.definitions);
  const runtime = await openRuntime({ log: (m) => io.err(m) });
  try {
    for (const id of runtime.recoveredRuns) {
      io.err(`run ${id} was left running by a process that no longer exists: marked FAILURE`);
    }
    return await work(definitions, runtime);
  } finally {
    await definitions
      .disposeResources()
      .catch((e: unknown) => io.err(`closing resources: ${String(e)}`));
    await runtime.close();
  }
}

/**
 * `withRuntime` for the commands that serve until stopped (`dev`, `server`, `worker`,
 * `scheduler`): their definitions can be loaded again while they run. The first load's errors
 * stop the command as `withRuntime`'s do; later ones keep the previous definitions.
 */
export async function withReloadableRuntime<T>(
  options: GlobalOptions,
  io: CliIo,
  work: (definitions: ReloadableDefinitions, runtime: Runtime) => Promise<T>,
): Promise<T> {
  const definitions = await ReloadableDefinitions.open({
    load: () => loadDefinitionsModule(options.definitions),
    // Alert settings that the scheduler and the server would refuse are refused by a reload.
    validate: (d) => void alertSettings(d),
    log: (m) => io.err(m),
  });
  const runtime = await openRuntime({ log: (m) => io.err(m) });
  try {
    for (const id of runtime.recoveredRuns) {
      io.err(`run ${id} was left running by a process that no longer exists: marked FAILURE`);
    }
    return await work(definitions, runtime);
  } finally {
    await definitions.close();
    await runtime.close();
  }
}
