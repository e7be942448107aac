import { PgListener } from "../storage/listener";
import { DEFINITIONS_CHANNEL } from "./definitions-channel";
import type { ReloadableDefinitions } from "./reloadable-definitions";

export interface FollowOptions {
  readonly databaseUrl: string;
  /** While this process's files are not yet at the announced version, retry this often (5 s). */
  readonly retryMs?: number;
  /** …for at most this long (10 min), then keep what it has and say so. */
  readonly retryForMs?: number;
  readonly log?: (message: string) => void;
}

/**
 * Keeps a process's definitions at the version another process announced (its reload, see
 * `DEFINITIONS_CHANNEL`): a worker or a scheduler loads its own files again when told, and again
 * every few seconds while they are not yet at that version (files deployed to this machine
 * later). After a lost connection, it loads them again, in case an announcement was missed.
 */
export function followDefinitions(
  source: ReloadableDefinitions,
  options: FollowOptions,
): { stop(): Promise<void> } {
  const retryMs = options.retryMs ?? 5_000;
  const retryForMs = options.retryForMs ?? 10 * 60_000;
  const log = options.log ?? (() => undefined);
  let target: { version: string; since: number } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // Overlapping catch-ups share the definitions' reload (one at a time, again if asked
  // meanwhile); each clears the retry another one set.
  const catchUp = async (): Promise<void> => {
    clearTimeout(timer);
    if (stopped) return;
    if (target && source.current().version === target.version) return;
    await source.reload();
    if (!target || stopped || source.current().version === target.version) return;
    if (Date.now() - target.since >= retryForMs) {
      log(
        `definitions: another process announced version ${target.version}, this one's files are at ${source.current().version}; keeping them`,
      );
      target = undefined;
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(() => void catchUp(), retryMs);
  };

  const listener = new PgListener({
    connection: options.databaseUrl,
    channels: [DEFINITIONS_CHANNEL],
    applicationName: "lignee definitions",
    onNotification: (_channel, payload) => {
      if (!payload) return;
      target = { version: payload, since: Date.now() };
      void catchUp();
    },
    onResumed: () => void catchUp(),
    log,
  });
  void listener.start();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await listener.stop();
    },
  };
}
