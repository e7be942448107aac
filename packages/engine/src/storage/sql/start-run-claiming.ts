import type pg from "pg";
import { LigneeError } from "../../errors";
import { startRun, startRunInsert, startRunValues, type StartedRun } from "../runs/start";
import {
  claimedInputs,
  claimStatement,
  type ClaimOutcome,
  type ClaimRow,
  type PartitionClaim,
} from "./claim-partitions";
import { IntervalSet } from "../../partitions/interval-set";

/**
 * start and the claim of every partition of the run's plan, in one statement (a run this
 * process executes itself, see `startRun` and `claimPartitions`): the run is recorded STARTED
 * in any case; its partitions are claimed, all or none, unless another live run holds one of
 * them (then that run is named) or another claim of one of its assets committed since the
 * statement's snapshot (then nothing is claimed and no holder is named: the steps claim on their
 * own). A deadlock or serialization failure rolls the whole statement back: the run is then
 * started alone, and claims nothing.
 */
export async function startRunClaiming(
  pool: pg.Pool,
  run: StartedRun,
  claims: readonly PartitionClaim[],
): Promise<ClaimOutcome | { readonly claimed: false; readonly holder?: undefined }> {
  const wanted = claims.map((c) => ({
    asset_key: c.assetKey,
    partitions: c.partitions.toMultirange(),
  }));
  try {
    const result = await pool.query<ClaimRow>({
      name: "lignee_start_run_claiming",
      text: START_CLAIMING,
      values: [run.id, JSON.stringify(wanted), "[]", ...startRunValues(run).slice(1)],
    });
    const row = result.rows[0]!;
    if (row.run_id !== null && row.asset_key !== null && row.overlap !== null) {
      const partitions = IntervalSet.fromMultirange(row.overlap);
      return { claimed: false, holder: { runId: row.run_id, assetKey: row.asset_key, partitions } };
    }
    if (row.claimed)
      return { claimed: true, watermark: Number(row.watermark), inputs: claimedInputs(row) };
    return { claimed: false };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "40P01" && code !== "40001")
      throw new LigneeError("STORAGE", `start run: ${(error as Error).message}`, { cause: error });
    await startRun(pool, run).catch((e: unknown) => {
      throw new LigneeError("STORAGE", `start run: ${(e as Error).message}`, { cause: e });
    });
    return { claimed: false };
  }
}

/** The run's INSERT ($1, then $4…$13: `startRunValues` without the id) before the claim. */
const START_CLAIMING = claimStatement(`started AS (${startRunInsert(1, 4)}),\n     `);
