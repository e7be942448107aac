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
  return overRuntime(
    io,
    (runtime) => work(definitions, runtime),
    () =>
      definitions
        .disposeResources()
        .catch((e: unknown) => io.err(`closing resources: ${String(e)}`)),
  );
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
  return overRuntime(
    io,
    (runtime) => work(definitions, runtime),
    () => definitions.close(),
  );
}

/** Opens the runtime without loading definitions, for commands that only need the database. */
export async function withDatabase<T>(
  io: CliIo,
  work: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  return overRuntime(io, work, async () => undefined);
}

/** Opens the runtime, says which runs it recovered, runs `work`, then `release` and closes it. */
async function overRuntime<T>(
  io: CliIo,
  work: (runtime: Runtime) => Promise<T>,
  release: () => Promise<void>,
): Promise<T> {
  const runtime = await openRuntime({ log: (m) => io.err(m) });
  try {
    for (const id of runtime.recoveredRuns) {
      io.err(`run ${id} was left running by a process that no longer exists: marked FAILURE`);
    }
    return await work(runtime);
  } finally {
    await release();
    await runtime.close();
  }
}
