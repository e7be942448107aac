import cliProgress from "cli-progress";
import { loadDynamicPartitions } from "../../storage/dynamic-partitions/load-dynamic-partitions";
import { backfillJson, backfillRunJson } from "../../backfill/backfill-json";
import type { BackfillRecord, BackfillStore } from "../../backfill/backfill-store";
import { launchBackfill, resumeBackfill } from "../../backfill/launch-backfill";
import { PostgresBackfillStore } from "../../backfill/postgres-backfill-store";
import { backfillPartitionCounts, prepareBackfill } from "../../backfill/prepare-backfill";
import {
  describeProgress,
  isBackfillDone,
  type BackfillProgress,
  type BackfillStatus,
} from "../../backfill/progress";
import type { Definitions } from "../../definitions/definitions";
import { abortableSleep } from "../../execution/abortable-sleep";
import { confirmLimitFromEnv, requireConfirmation } from "../../planning/confirmation";
import { queueSettingsFromEnv } from "../../queue/settings";
import { InvalidPartitionError, SelectionError, UnknownBackfillError } from "../../errors";
import type { Runtime } from "../../runtime/runtime";
import { readConfigOption } from "../config-option";
import type { CliIo } from "../context";
import { table } from "../format";
import { handOverSignals } from "../signal-handover";

export interface BackfillOptions {
  readonly select?: string;
  readonly from?: string;
  readonly to?: string;
  readonly chunk?: number;
  /** The config of every run: JSON, or the path of a JSON file (see `readConfigOption`). */
  readonly config?: string;
  readonly json?: boolean;
  /** False with `--no-wait`. */
  readonly wait?: boolean;
  /** Confirms a backfill over more partitions than may be started without asking. */
  readonly yes?: boolean;
}

export interface WaitOptions {
  readonly json?: boolean;
  readonly wait?: boolean;
  /** How often progress is read while waiting (ms). */
  readonly pollMs?: number;
}

const POLL_MS = 1000;
/** Without a terminal, a progress line at most this often (and one at the end). */
const LINE_EVERY_MS = 5000;
/** Runs `lignee backfill show` lists in text. */
const SHOWN_RUNS = 100;

/**
 * `lignee backfill --select SEL --from KEY --to KEY [--chunk N]`: validates like `materialize`
 * (bad input: exit 2, nothing created), queues one run per chunk for the workers, then waits
 * and shows progress until every run has ended (`--no-wait` returns at once). Exit 0 when every
 * run succeeded, 1 otherwise.
 */
export async function backfillCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  options: BackfillOptions,
  io: CliIo,
): Promise<number> {
  const range = requireBackfillRange(options);
  definitions = await loadDynamicPartitions(definitions, runtime.storage);
  const prepared = prepareBackfill(
    definitions,
    {
      ...range,
      ...(options.chunk !== undefined ? { chunkSize: options.chunk } : {}),
      ...(options.config !== undefined ? { config: readConfigOption(options.config) } : {}),
    },
    new Date(),
  );
  requireConfirmation(definitions, backfillPartitionCounts(definitions, prepared), {
    confirmed: options.yes === true,
    limit: confirmLimitFromEnv(process.env),
  });
  return withStore(runtime, async (store) => {
    const { maxAttempts } = queueSettingsFromEnv(process.env);
    const backfill = await launchBackfill(store, prepared, { maxAttempts });
    if (!options.json) {
      const runs = prepared.chunks.length;
      io.err(
        `backfill ${backfill.id}: ${prepared.partitionCount} partition(s) of ${prepared.assetKeys.join(", ")} (${prepared.fromKey}…${prepared.toKey}) in ${runs} run(s) of up to ${prepared.chunkSize}`,
      );
      if (options.wait !== false)
        io.err(
          "the runs are queued for the workers (`lignee worker`, or the one `lignee dev` runs)",
        );
    }
    return finish(store, backfill, options, io);
  });
}

/** The selection and range a new backfill needs (bad input when one is missing). */
export function requireBackfillRange(options: BackfillOptions): {
  selection: string;
  from: string;
  to: string;
} {
  if (options.select === undefined || options.select.trim() === "") {
    throw new SelectionError("lignee backfill needs --select SEL --from KEY --to KEY");
  }
  if (options.from === undefined || options.to === undefined) {
    throw new InvalidPartitionError("lignee backfill needs --from KEY and --to KEY");
  }
  return { selection: options.select, from: options.from, to: options.to };
}

/** `lignee backfill resume ID`: queues the runs an interrupted creation did not, then waits. */
export async function backfillResumeCommand(
  definitions: Definitions<unknown>,
  runtime: Runtime,
  backfillId: string,
  options: WaitOptions,
  io: CliIo,
): Promise<number> {
  return withStore(runtime, async (store) => {
    const before = await store.getBackfill(backfillId);
    if (!before) throw new UnknownBackfillError(backfillId);
    const { maxAttempts } = queueSettingsFromEnv(process.env);
    definitions = await loadDynamicPartitions(definitions, runtime.storage);
    const backfill = await resumeBackfill(definitions, store, backfillId, new Date(), {
      maxAttempts,
    });
    if (!options.json) {
      io.err(
        before.status === "REQUESTED"
          ? `backfill ${backfillId}: ${backfill.progress.createdChunks - before.progress.createdChunks} missing run(s) queued`
          : `backfill ${backfillId} is ${before.status}: its runs all exist`,
      );
    }
    return finish(store, backfill, options, io);
  });
}

/** `lignee backfill cancel ID`: queued runs are cancelled, started ones asked to stop. */
export async function backfillCancelCommand(
  runtime: Runtime,
  backfillId: string,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  return withStore(runtime, async (store) => {
    const outcome = await store.cancel(backfillId);
    if (!outcome) throw new UnknownBackfillError(backfillId);
    if (outcome.kind === "finished") {
      io.err(`error: backfill ${backfillId} is already ${outcome.status}`);
      return 1;
    }
    if (options.json) {
      io.out(JSON.stringify({ backfillId, status: "CANCELED", ...without(outcome, "kind") }));
    } else {
      io.out(
        `backfill ${backfillId} CANCELED: ${outcome.canceledRuns} queued run(s) cancelled, ${outcome.cancelingRuns} started run(s) asked to stop`,
      );
    }
    return 0;
  });
}

/** `lignee backfill list`: backfills, newest first, with their progress. */
export async function backfillListCommand(
  runtime: Runtime,
  options: { json?: boolean; limit?: number; status?: BackfillStatus },
  io: CliIo,
): Promise<number> {
  return withStore(runtime, async (store) => {
    const list = await store.listBackfills({
      limit: options.limit ?? 50,
      ...(options.status ? { status: options.status } : {}),
    });
    if (options.json) {
      io.out(JSON.stringify({ backfills: list.map(backfillJson) }, null, 2));
      return 0;
    }
    const rows = [["BACKFILL", "STATUS", "CREATED", "SELECTION", "RANGE", "RUNS", "PROGRESS"]];
    for (const b of list) {
      rows.push([
        b.id,
        b.status,
        b.createdAt.toISOString(),
        b.selection,
        `${b.fromKey}…${b.toKey}`,
        String(b.totalChunks),
        describeProgress(b.progress),
      ]);
    }
    io.out(list.length === 0 ? "No backfills yet." : table(rows));
    return 0;
  });
}

/** `lignee backfill show ID`: a backfill, its progress and its runs. */
export async function backfillShowCommand(
  runtime: Runtime,
  backfillId: string,
  options: { json?: boolean },
  io: CliIo,
): Promise<number> {
  return withStore(runtime, async (store) => {
    const backfill = await store.getBackfill(backfillId);
    if (!backfill) throw new UnknownBackfillError(backfillId);
    if (options.json) {
      const runs = await store.listRuns(backfillId, { limit: backfill.totalChunks });
      io.out(
        JSON.stringify(
          { backfill: backfillJson(backfill), runs: runs.map(backfillRunJson) },
          null,
          2,
        ),
      );
      return 0;
    }
    const runs = await store.listRuns(backfillId, { limit: SHOWN_RUNS });
    const lines = [
      `Backfill ${backfill.id}  ${backfill.status}`,
      `  selection:  ${backfill.selection}`,
      `  range:      ${backfill.fromKey}…${backfill.toKey} in ${backfill.totalChunks} run(s) of up to ${backfill.chunkSize} partition(s)`,
      `  created:    ${backfill.createdAt.toISOString()}   updated: ${backfill.updatedAt.toISOString()}`,
      `  progress:   ${describeProgress(backfill.progress)}`,
      ...(backfill.error ? [`  error:      ${backfill.error}`] : []),
      "",
      table([
        ["CHUNK", "PARTITIONS", "STATUS", "RUN"],
        ...runs.map((r) => [
          String(r.chunk + 1),
          r.from === r.to ? r.from : `${r.from}…${r.to}`,
          r.status === "STARTED" && r.cancelRequested ? "CANCELING" : r.status,
          r.id,
        ]),
      ]),
    ];
    if (backfill.progress.createdChunks > runs.length) {
      lines.push(
        `… ${backfill.progress.createdChunks - runs.length} more run(s): lignee backfill show ${backfill.id} --json lists them all`,
      );
    }
    io.out(lines.join("\n"));
    return 0;
  });
}

async function withStore<T>(
  runtime: Runtime,
  work: (store: BackfillStore) => Promise<T>,
): Promise<T> {
  const store = PostgresBackfillStore.connect(runtime.databaseUrl, { max: 2 });
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** Prints the outcome (after waiting, unless `--no-wait`); 0 when every run succeeded. */
async function finish(
  store: BackfillStore,
  created: BackfillRecord,
  options: WaitOptions,
  io: CliIo,
): Promise<number> {
  let backfill = created;
  let interrupted = false;
  if (options.wait !== false) {
    ({ backfill, interrupted } = await waitForBackfill(store, created, options, io));
  }
  if (options.json) {
    io.out(
      JSON.stringify({
        backfillId: backfill.id,
        status: backfill.status,
        totalChunks: backfill.totalChunks,
        progress: backfill.progress,
      }),
    );
  } else {
    io.out(`backfill ${backfill.id} ${backfill.status} (${describeProgress(backfill.progress)})`);
  }
  if (interrupted && !options.json) {
    io.err(
      `stopped waiting; the backfill goes on: lignee backfill show ${backfill.id}, lignee backfill cancel ${backfill.id}`,
    );
  }
  if (options.wait === false) return 0;
  return backfill.status === "COMPLETED" ? 0 : 1;
}

/**
 * Reads the backfill's progress until there is nothing left to wait for: a progress bar on a
 * terminal, a line now and then otherwise. Ctrl-C stops waiting (the backfill goes on).
 */
async function waitForBackfill(
  store: BackfillStore,
  initial: BackfillRecord,
  options: WaitOptions,
  io: CliIo,
): Promise<{ backfill: BackfillRecord; interrupted: boolean }> {
  let backfill = initial;
  const bar =
    io.interactive && !options.json
      ? new cliProgress.SingleBar(
          {
            stream: process.stderr,
            format: "{bar} {percentage}% | {detail}",
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  const ended = (p: BackfillProgress): number =>
    p.partitions.SUCCESS + p.partitions.FAILURE + p.partitions.CANCELED;
  bar?.start(backfill.progress.totalPartitions, ended(backfill.progress), {
    detail: describeProgress(backfill.progress),
  });
  let lastLine = "";
  let lastLineAt = 0;
  const report = (force: boolean): void => {
    const line = describeProgress(backfill.progress);
    if (bar) {
      bar.setTotal(backfill.progress.totalPartitions);
      bar.update(ended(backfill.progress), { detail: line });
      return;
    }
    if (options.json || line === lastLine) return;
    if (!force && Date.now() - lastLineAt < LINE_EVERY_MS) return;
    io.err(`backfill ${backfill.id}: ${line}`);
    lastLine = line;
    lastLineAt = Date.now();
  };

  // Ctrl-C only stops the wait, not embedded PostgreSQL (see handOverSignals).
  const controller = new AbortController();
  const handover = handOverSignals(["SIGINT"], () => controller.abort());
  try {
    report(true);
    while (!isBackfillDone(backfill.status, backfill.progress)) {
      await abortableSleep(options.pollMs ?? POLL_MS, controller.signal);
      if (controller.signal.aborted) break;
      backfill = (await store.getBackfill(backfill.id)) ?? backfill;
      report(false);
    }
    report(true);
    return { backfill, interrupted: controller.signal.aborted };
  } finally {
    bar?.stop();
    handover.restore();
  }
}

function without<T extends object, K extends keyof T>(value: T, key: K): Omit<T, K> {
  const { [key]: _omitted, ...rest } = value;
  return rest;
}
