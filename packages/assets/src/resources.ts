import type { RawStore, ResourceEnvironment } from "@lignee/engine";
import { configuredRawStore, dataDir, numberFromEnv } from "./config";
import { FranceTravailClient } from "./france-travail/client";
import {
  hasFranceTravailCredentials,
  readFranceTravailConfig,
  type FranceTravailConfig,
} from "./france-travail/config";
import { assertBadDays, badDay } from "./france-travail/simulator/options";
import type { RunningSimulator } from "./france-travail/simulator/server";
import { OFFRES_MIGRATION } from "./offres/table";
import { Warehouse } from "./warehouse/warehouse";

/** What the job-offer assets share during a run. */
export interface JobOfferResources {
  readonly warehouse: Warehouse;
  /** The local data folder: spools, synthetic inputs. */
  readonly dataDir: string;
  /** Where raw files are stored, shared by every worker (`LIGNEE_RAW_STORE`). */
  readonly rawStore: RawStore;
  /** One client for all collections of the process: one token, one rate limit. */
  readonly franceTravail: FranceTravailClient;
  readonly franceTravailConfig: FranceTravailConfig;
  /** Set when no credentials were found and the local simulator serves the API. */
  readonly simulator: RunningSimulator | undefined;
  close(): Promise<void>;
}

/**
 * Builds the resources from the runtime environment. The warehouse is the engine's database
 * unless `WAREHOUSE_URL` names another. With `FRANCE_TRAVAIL_CLIENT_ID` and
 * `FRANCE_TRAVAIL_CLIENT_SECRET` set, the collector talks to the real API; without them, a local
 * simulator of the API is started (`LIGNEE_SIMULATOR_OFFERS_PER_WEEKDAY`, default 50,000;
 * `LIGNEE_SIMULATOR_RATE_LIMIT` calls/s, default 10) and the same client talks to it;
 * `LIGNEE_SIMULATOR_BAD_DAYS=2024-08-01,2024-08-02` makes it serve bad data on those days
 * (`badDay`: a volume collapse, ids of the day before, dates outside the day, unknown codes).
 */
export async function createResources(env: ResourceEnvironment): Promise<JobOfferResources> {
  // A setting the store cannot be made from fails here, before anything starts.
  const rawStore = configuredRawStore();
  const base = readFranceTravailConfig();
  let simulator: RunningSimulator | undefined;
  let config = base;
  if (!hasFranceTravailCredentials()) {
    // Loaded when needed: the HTTP server it brings is not for every process that loads the
    // definitions.
    const { startSimulator } = await import("./france-travail/simulator/server");
    simulator = await startSimulator({
      seed: numberFromEnv("LIGNEE_SIMULATOR_SEED", 1),
      offersPerWeekday: numberFromEnv("LIGNEE_SIMULATOR_OFFERS_PER_WEEKDAY", 50_000),
      rateLimitPerSecond: numberFromEnv("LIGNEE_SIMULATOR_RATE_LIMIT", 10),
      faults: { badDays: badDaysFromEnv() },
    });
    config = {
      ...base,
      clientId: "lignee-local",
      clientSecret: "simulator",
      tokenUrl: simulator.tokenUrl,
      apiUrl: simulator.apiUrl,
    };
  }
  const warehouse = new Warehouse(process.env.WAREHOUSE_URL ?? env.databaseUrl);
  try {
    // A raw.offres of the first shape gets its extracted columns before anything reads them
    // (fait_offre_emploi may be rebuilt before any day of offers is loaded again).
    await warehouse.ensure(OFFRES_MIGRATION);
  } catch (error) {
    await warehouse.close();
    await simulator?.close();
    await rawStore.close();
    throw error;
  }
  return {
    warehouse,
    dataDir: dataDir(),
    rawStore,
    franceTravail: new FranceTravailClient({ config }),
    franceTravailConfig: config,
    simulator,
    close: async () => {
      await warehouse.close();
      await simulator?.close();
      await rawStore.close();
    },
  };
}

/** `LIGNEE_SIMULATOR_BAD_DAYS`: comma-separated days the simulator serves as `badDay`s. */
function badDaysFromEnv(): ReturnType<typeof badDay>[] {
  const raw = process.env.LIGNEE_SIMULATOR_BAD_DAYS ?? "";
  const days = raw
    .split(",")
    .map((d) => d.trim())
    .filter((d) => d !== "")
    .map((d) => badDay(d));
  try {
    assertBadDays(days);
  } catch (e) {
    throw new Error(`LIGNEE_SIMULATOR_BAD_DAYS: ${(e as Error).message}`);
  }
  return days;
}
