import {
  activeRunCovers,
  dayBefore,
  defineSchedule,
  defineSensor,
  openRawStore,
  partitionIndex,
  type RawStore,
  type ScheduleDefinition,
  type SensorDefinition,
} from "@lignee/engine";
import { configuredRawStore } from "./config";
import { OFFRES_PARTITIONS } from "./offres/partitions";
import {
  filesToLoad,
  listOffresFiles,
  parseRawFilesCursor,
  type RawOffresFile,
} from "./offres/raw-files";

const PARIS = "Europe/Paris";

/** The run tag that makes `raw/offres` load the day's existing file instead of collecting it. */
export const SOURCE_FILE_TAG = { source: "file" } as const;

/**
 * The daily collection of the original pipeline (`pipeline_offres_date`): every day at 01:00
 * Paris time, the offers created the day before (J-1), then everything downstream.
 */
export const dailyOffresSchedule: ScheduleDefinition = defineSchedule({
  name: "offres_quotidiennes",
  cron: "0 1 * * *",
  timezone: PARIS,
  selection: "raw/offres+",
  partition: (scheduledAt) => dayBefore(scheduledAt, PARIS),
  description:
    "Every day at 01:00 (Europe/Paris): collects and loads the offers created the day before, then the models built on them.",
});

/**
 * The raw-folder sensor (the original `pipeline_offres_stock`, made automatic): when an
 * `offres-YYYY-MM-DD.ndjson` file appears in `<dataDir>/raw/offres` or changes (modification
 * time or size), a run loads it as it is (`source=file`) into that day's partition of
 * `raw/offres`; eager automation then rebuilds the models downstream. Files written by a
 * collection run are left to that run: they are loaded already.
 */
export function offresFilesSensor(
  options: { dataDir?: () => string; intervalMs?: number } = {},
): SensorDefinition {
  const dataDir = options.dataDir;
  // The store of the setting at each evaluation (the environment may change in `lignee dev`).
  const store = (): RawStore => (dataDir ? openRawStore(dataDir()) : configuredRawStore());
  // The compressed days' versions, from one evaluation to the next (see listOffresFiles).
  const compressed = new Map<string, RawOffresFile>();
  return defineSensor({
    name: "offres_fichiers",
    selection: "raw/offres",
    ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
    description:
      "Loads offres-YYYY-MM-DD.ndjson files that appear or change in the raw offers folder.",
    async evaluate(ctx) {
      const raw = store();
      const files = await listOffresFiles(raw, { compressed }).finally(() => raw.close());
      const [loaded, active] = await Promise.all([
        ctx.latestMaterializations("raw/offres"),
        ctx.activeRuns(),
      ]);
      // Runs that collect (anything but a file load) write the day's file themselves.
      const collecting = active.filter((run) => run.tags.source !== SOURCE_FILE_TAG.source);
      const { load, cursor } = filesToLoad(files, parseRawFilesCursor(ctx.cursor), {
        loaded: (day) => {
          const m = loaded.get(day);
          if (!m) return undefined;
          const version = m.metadata.file_version;
          return typeof version === "string"
            ? { version, at: m.createdAt.getTime() }
            : { at: m.createdAt.getTime() };
        },
        collecting: (day) => collecting.some((run) => activeRunCovers(run, "raw/offres", day)),
        isPartition: (day) => {
          try {
            partitionIndex(OFFRES_PARTITIONS, day, ctx.now);
            return true;
          } catch {
            return false;
          }
        },
      });
      return {
        runRequests: load.map((f) => ({
          partition: f.day,
          tags: { ...SOURCE_FILE_TAG },
          runKey: `${f.day}@${cursor[f.day]}`,
        })),
        cursor: JSON.stringify(cursor),
        skipReason: `${files.length} file(s), none new or changed`,
      };
    },
  });
}
