import { useCallback, useState, type ReactNode } from "react";
import type { LaunchPreview } from "../api/types";
import { LaunchConfirmDialog } from "./LaunchConfirmDialog";

/** A launch the user is asked to confirm: its request and what it would materialise. */
interface Pending<B> {
  readonly body: B;
  readonly preview: LaunchPreview;
}

export interface ConfirmedLaunch<B> {
  /**
   * Asks the server what `body` would materialise; launches it at once when that needs no
   * confirmation, else opens the dialog (Start launches it with `confirm: true`).
   */
  readonly request: (body: B) => void;
  /** The confirmation dialog while one is open: render it. */
  readonly dialog: ReactNode;
  /** The preview is on its way. */
  readonly checking: boolean;
  /** The preview failed (bad input, nothing to materialise): show it. */
  readonly error: unknown;
  readonly clearError: () => void;
}

/**
 * Every launch of the UI goes through this hook: more than 50 partitions, or more than an
 * asset's own `confirmAbove` (e.g. 7 days of raw/offres from the external API), asks first, in a
 * dialog with the partition count and an estimate from measured durations. The server's
 * `confirm: true` guard stays the backstop.
 *
 * @example
 * const runLaunch = useConfirmedLaunch(api.previewRun, (body) => startRun.mutate(body));
 * <button onClick={() => runLaunch.request({ selection: key, stale: true })}>…</button>
 * {runLaunch.dialog}
 */
export function useConfirmedLaunch<B extends { confirm?: boolean }>(
  preview: (body: B) => Promise<LaunchPreview>,
  launch: (body: B) => void,
): ConfirmedLaunch<B> {
  const [pending, setPending] = useState<Pending<B> | undefined>();
  const [checking, setChecking] = useState(false);
  const [error, setError] = useState<unknown>();

  const request = useCallback(
    (body: B) => {
      setError(undefined);
      setChecking(true);
      preview(body).then(
        (answer) => {
          setChecking(false);
          if (answer.needsConfirmation) setPending({ body, preview: answer });
          else launch(body);
        },
        (e: unknown) => {
          setChecking(false);
          setError(e);
        },
      );
    },
    [preview, launch],
  );

  const dialog = pending ? (
    <LaunchConfirmDialog
      preview={pending.preview}
      onCancel={() => setPending(undefined)}
      onStart={() => {
        setPending(undefined);
        launch({ ...pending.body, confirm: true });
      }}
    />
  ) : null;

  return { request, dialog, checking, error, clearError: () => setError(undefined) };
}
