import type { Queryable } from "../runs/queryable";
import type { SessionRecord } from "./auth-store";
import { USER_COLUMNS, userOf, type UserRow } from "./user-row";

/** A session's `last_seen_at` (a token's `last_used_at`) is rewritten at most this often. */
export const SEEN_PRECISION_MS = 60_000;

/**
 * The session of this secret hash if it is not past its absolute expiry, was seen within
 * `idleMs` and its user is not disabled, marked seen at `now` when its last mark is more than
 * a minute old — unless `active` is false: a request the browser made on its own (a page
 * polling while nobody uses it) does not keep the session alive. One statement: a round trip
 * per request.
 */
export async function touchSession(
  db: Queryable,
  secretHash: Buffer,
  now: Date,
  idleMs: number,
  active = true,
): Promise<SessionRecord | undefined> {
  const { rows } = await db.query<UserRow & { createdAt: Date; lastSeenAt: Date; expiresAt: Date }>(
    `WITH found AS (
       SELECT s.secret_hash, s.user_id, s.created_at, s.expires_at,
              $5::boolean AND s.last_seen_at < $2::timestamptz - make_interval(secs => $4::float8 / 1000)
                AS stale,
              s.last_seen_at
       FROM lignee.sessions s JOIN lignee.users u ON u.id = s.user_id
       WHERE s.secret_hash = $1
         AND s.expires_at > $2
         AND s.last_seen_at > $2::timestamptz - make_interval(secs => $3::float8 / 1000)
         AND u.disabled_at IS NULL),
     seen AS (
       UPDATE lignee.sessions s SET last_seen_at = $2
       FROM found WHERE s.secret_hash = found.secret_hash AND found.stale)
     SELECT ${USER_COLUMNS}, f.created_at AS "createdAt",
            CASE WHEN f.stale THEN $2::timestamptz ELSE f.last_seen_at END AS "lastSeenAt",
            f.expires_at AS "expiresAt"
     FROM found f JOIN lignee.users u ON u.id = f.user_id`,
    [secretHash, now, idleMs, SEEN_PRECISION_MS, active],
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    user: userOf(row),
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
  };
}
