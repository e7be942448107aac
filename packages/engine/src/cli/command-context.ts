import { InvalidArgumentError } from "commander";
import type { Definitions } from "../definitions/definitions";
import type { ReloadableDefinitions } from "../reload/reloadable-definitions";
import type { Runtime } from "../runtime/runtime";
import type { CliIo } from "./context";

/** What a command's registration gets from the program it is added to. */
export interface CommandContext {
  readonly io: CliIo;
  /**
   * Runs a command with the definitions and the runtime loaded (see `withRuntime`); what `work`
   * resolves to is the process's exit code.
   */
  run(
    work: (definitions: Definitions<unknown>, runtime: Runtime) => Promise<number>,
  ): Promise<void>;
  /** `run` for the commands that serve until stopped: definitions that can be loaded again. */
  serve(
    work: (definitions: ReloadableDefinitions, runtime: Runtime) => Promise<number>,
  ): Promise<void>;
  /**
   * Runs a command that needs the database but no definitions (`lignee users`); what `work`
   * resolves to is the process's exit code.
   */
  database(work: (runtime: Runtime) => Promise<number>): Promise<void>;
  /**
   * Runs a command that needs neither definitions nor a database (`lignee init`); what `work`
   * resolves to is the process's exit code.
   */
  standalone(work: () => Promise<number>): Promise<void>;
}

/** Commander argument parser: a positive integer (`--limit`, `--chunk`, `--concurrency`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

/** Commander argument parser: a TCP port (0 asks for any free port). */
export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expected a port number");
  return n;
}
