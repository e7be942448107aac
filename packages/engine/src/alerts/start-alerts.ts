import type { Definitions } from "../definitions/definitions";
import { connectPool } from "../storage/transaction";
import { alertSettings } from "./alert-settings";
import { createChannels } from "./channels";
import { AlertSender, type OverdueAssets } from "./sender";

export interface RunningAlertSender {
  /** The channels it delivers to, by name. */
  readonly channels: readonly string[];
  stop(): Promise<void>;
}

/**
 * The alert sender inside a process (`lignee scheduler`, `lignee dev`), with its settings from
 * the definitions and the environment; `stop` lets sends in progress finish (idempotent).
 * Invalid settings throw before anything starts.
 */
export function startAlertSender(options: {
  readonly definitions: Definitions<unknown>;
  readonly databaseUrl: string;
  readonly log: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** Base of the links when `LIGNEE_PUBLIC_URL` is unset (the server's address). */
  readonly defaultPublicUrl?: string;
  readonly overdueAssets?: OverdueAssets;
  readonly onAlive?: () => void;
}): RunningAlertSender {
  const env = options.env ?? process.env;
  const settings = alertSettings(options.definitions, env);
  const channels = createChannels(settings.channels, settings.timeoutMs);
  const pool = connectPool(options.databaseUrl, 4);
  const sender = new AlertSender({
    pool,
    channels,
    settings: {
      ...settings,
      publicUrl: settings.publicUrl ?? options.defaultPublicUrl ?? DEFAULT_PUBLIC_URL,
    },
    log: options.log,
    ...(options.overdueAssets ? { overdueAssets: options.overdueAssets } : {}),
    ...(options.onAlive ? { onAlive: options.onAlive } : {}),
  });
  const controller = new AbortController();
  const done = sender.run(controller.signal);
  let stopped: Promise<void> | undefined;
  return {
    channels: channels.map((c) => c.name),
    stop: () =>
      (stopped ??= (async () => {
        controller.abort();
        await done.catch(() => undefined);
        await pool.end().catch(() => undefined);
      })()),
  };
}

/** The server's default address, when neither `LIGNEE_PUBLIC_URL` nor the caller says better. */
const DEFAULT_PUBLIC_URL = "http://127.0.0.1:3000";
