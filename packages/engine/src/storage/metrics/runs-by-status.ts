import type { Queryable } from "../runs/queryable";

/** How many runs are in each status now (statuses with no run are absent). */
export async function runsByStatus(db: Queryable): Promise<Map<string, number>> {
  const result = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM lignee.runs GROUP BY status`,
  );
  return new Map(result.rows.map((r) => [r.status, r.n]));
}
