import type { Queryable } from "../runs/queryable";

/** A check switched off or on by someone; a check never switched is enabled. */
export interface CheckSwitch {
  readonly assetKey: string;
  readonly checkName: string;
  readonly enabled: boolean;
  readonly updatedAt: Date;
  readonly updatedBy: string | null;
}

/** Switches a check off or on (idempotent: the last switch wins). */
export async function setCheckEnabled(
  db: Queryable,
  input: { assetKey: string; checkName: string; enabled: boolean; updatedBy?: string },
): Promise<CheckSwitch> {
  const result = await db.query<SwitchRow>(
    `INSERT INTO lignee.check_switches (asset_key, check_name, enabled, updated_at, updated_by)
     VALUES ($1, $2, $3, now(), $4)
     ON CONFLICT (asset_key, check_name) DO UPDATE
       SET enabled = EXCLUDED.enabled, updated_at = EXCLUDED.updated_at,
           updated_by = EXCLUDED.updated_by
     RETURNING asset_key, check_name, enabled, updated_at, updated_by`,
    [input.assetKey, input.checkName, input.enabled, input.updatedBy ?? null],
  );
  return switchOf(result.rows[0]!);
}

/** Every switch recorded, of one asset or of all. */
export async function listCheckSwitches(db: Queryable, assetKey?: string): Promise<CheckSwitch[]> {
  const result = await db.query<SwitchRow>(
    `SELECT asset_key, check_name, enabled, updated_at, updated_by FROM lignee.check_switches
     WHERE $1::text IS NULL OR asset_key = $1 ORDER BY asset_key, check_name`,
    [assetKey ?? null],
  );
  return result.rows.map(switchOf);
}

interface SwitchRow {
  asset_key: string;
  check_name: string;
  enabled: boolean;
  updated_at: Date;
  updated_by: string | null;
}

function switchOf(r: SwitchRow): CheckSwitch {
  return {
    assetKey: r.asset_key,
    checkName: r.check_name,
    enabled: r.enabled,
    updatedAt: r.updated_at,
    updatedBy: r.updated_by,
  };
}
