import type { Definitions } from "../definitions/definitions";
import { openRuntime, type Runtime } from "../runtime/runtime";
import { loadDefinitions } from "./load-definitions";

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
