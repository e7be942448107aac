import type { Definitions } from "../definitions/definitions";
import { describeError } from "../errors";

/** Definitions as a loader gives them: from which files, at which version. */
export interface LoadedModule {
  readonly definitions: Definitions<unknown>;
  /** The files the definitions come from (absolute): what a watcher watches. */
  readonly files: readonly string[];
  /** A digest of those files: equal versions are the same definitions. */
  readonly version: string;
}

/** The definitions a process serves, and since when. */
export interface LoadedDefinitions extends LoadedModule {
  readonly loadedAt: Date;
}

/** Why the latest load failed (the previous definitions keep serving). */
export interface DefinitionsLoadError {
  readonly message: string;
  readonly at: Date;
}

export interface ReloadOutcome {
  /** false: the new definitions could not be loaded, `current` is still the previous ones. */
  readonly ok: boolean;
  /** Whether `current` is new (a version other than before). */
  readonly changed: boolean;
  readonly current: LoadedDefinitions;
  readonly error?: DefinitionsLoadError;
}

export interface ReloadableOptions {
  /** Loads the definitions anew (a project's module, compiled again if its files changed). */
  readonly load: () => Promise<LoadedModule>;
  /** Further checks of new definitions (alert settings, …): a throw refuses them. */
  readonly validate?: (definitions: Definitions<unknown>) => void;
  readonly log?: (message: string) => void;
}

type Listener = (loaded: LoadedDefinitions) => void | Promise<void>;

/**
 * A process's definitions, which can be loaded again while it serves (Dagster's "reload code
 * location"). A reload that fails keeps the previous definitions and remembers why; one that
 * finds the same version changes nothing. Work that starts takes the definitions of the moment
 * (`acquire`) and keeps them to its end: the resources of replaced definitions are disposed of
 * once the last such work has released them.
 */
export class ReloadableDefinitions {
  private loaded: LoadedDefinitions;
  private error: DefinitionsLoadError | undefined;
  private reloading: Promise<ReloadOutcome> | undefined;
  private again = false;
  private closed = false;
  private readonly listeners = new Set<Listener>();
  /** Users (runs, a scheduler) of each definitions still held. */
  private readonly users = new Map<Definitions<unknown>, number>();
  private readonly replaced = new Set<Definitions<unknown>>();

  private constructor(
    private readonly options: ReloadableOptions,
    first: LoadedModule,
  ) {
    this.loaded = { ...first, loadedAt: new Date() };
  }

  /** Loads the definitions a first time: a failure here is the caller's (nothing serves yet). */
  static async open(options: ReloadableOptions): Promise<ReloadableDefinitions> {
    const first = await options.load();
    options.validate?.(first.definitions);
    return new ReloadableDefinitions(options, first);
  }

  current(): LoadedDefinitions {
    return this.loaded;
  }

  /** Why the latest reload failed; undefined once one succeeds. */
  lastError(): DefinitionsLoadError | undefined {
    return this.error;
  }

  /**
   * Loads the definitions again. Reloads never overlap: one asked for while another loads runs
   * once that one is done (and its outcome is the answer to both).
   */
  reload(): Promise<ReloadOutcome> {
    if (this.closed) return Promise.resolve({ ok: true, changed: false, current: this.loaded });
    if (this.reloading) {
      this.again = true;
      return this.reloading;
    }
    const run = async (): Promise<ReloadOutcome> => {
      let outcome: ReloadOutcome;
      do {
        this.again = false;
        outcome = await this.loadOnce();
      } while (this.again);
      return outcome;
    };
    this.reloading = run().finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** Called with the new definitions after each reload that changed them. */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The current definitions for a piece of work (a run): they stay usable, resources included,
   * until `release`, whatever reloads happen meanwhile.
   */
  acquire(): { readonly definitions: Definitions<unknown>; release(): Promise<void> } {
    const { definitions } = this.loaded;
    this.users.set(definitions, (this.users.get(definitions) ?? 0) + 1);
    let released = false;
    return {
      definitions,
      release: async () => {
        if (released) return;
        released = true;
        const left = (this.users.get(definitions) ?? 1) - 1;
        if (left > 0) this.users.set(definitions, left);
        else {
          this.users.delete(definitions);
          if (this.replaced.delete(definitions)) await this.dispose(definitions);
        }
      },
    };
  }

  /**
   * Disposes of the resources of every definitions loaded (the process ends), once a reload in
   * progress is done; later reloads do nothing.
   */
  async close(): Promise<void> {
    this.closed = true;
    await this.reloading?.catch(() => undefined);
    const all = new Set([this.loaded.definitions, ...this.replaced]);
    this.replaced.clear();
    for (const d of all) await this.dispose(d);
  }

  private async loadOnce(): Promise<ReloadOutcome> {
    const log = this.options.log ?? (() => undefined);
    let next: LoadedModule;
    try {
      next = await this.options.load();
      this.options.validate?.(next.definitions);
    } catch (error) {
      this.error = { message: describeError(error), at: new Date() };
      log(`definitions not reloaded, the previous ones keep serving: ${this.error.message}`);
      return { ok: false, changed: false, current: this.loaded, error: this.error };
    }
    this.error = undefined;
    if (
      this.closed ||
      next.version === this.loaded.version ||
      next.definitions === this.loaded.definitions
    ) {
      return { ok: true, changed: false, current: this.loaded };
    }
    const previous = this.loaded.definitions;
    this.loaded = { ...next, loadedAt: new Date() };
    if (this.users.has(previous)) this.replaced.add(previous);
    else await this.dispose(previous);
    log(`definitions reloaded (version ${next.version}): ${summary(next.definitions)}`);
    for (const listener of this.listeners) {
      try {
        await listener(this.loaded);
      } catch (error) {
        log(`after the definitions' reload: ${describeError(error)}`);
      }
    }
    return { ok: true, changed: true, current: this.loaded };
  }

  private async dispose(definitions: Definitions<unknown>): Promise<void> {
    await definitions
      .disposeResources()
      .catch((e: unknown) =>
        (this.options.log ?? (() => undefined))(`closing resources: ${describeError(e)}`),
      );
  }
}

function summary(definitions: Definitions<unknown>): string {
  return (
    `${definitions.assets.length} asset(s), ${definitions.checks.length} check(s), ` +
    `${definitions.schedules.length} schedule(s), ${definitions.sensors.length} sensor(s)`
  );
}
