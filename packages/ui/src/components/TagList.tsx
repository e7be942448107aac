import { Link } from "wouter";
import type { BackfillTag } from "../api/types";

/** The tag that carries the backfill a run belongs to (checked against the engine's). */
const BACKFILL_TAG: BackfillTag = "lignee/backfill";
/** The tag a re-executed run carries: the run it repeats. */
const REEXECUTION_TAG = "reexecutionOf";

/**
 * A description-list row of tags as chips (nothing when there are none); the tags that name a
 * run or a backfill link to it.
 */
export function TagList({ tags }: { tags: Readonly<Record<string, string>> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return null;
  return (
    <>
      <dt>Tags</dt>
      <dd>
        {entries.map(([k, v]) => (
          <TagChip key={k} name={k} value={v} />
        ))}
      </dd>
    </>
  );
}

function TagChip({ name, value }: { name: string; value: string }) {
  if (name === REEXECUTION_TAG)
    return (
      <Link href={`/runs/${value}`} className="asset-chip">
        re-execution of {value.slice(0, 8)}
      </Link>
    );
  if (name === BACKFILL_TAG)
    return (
      <Link href={`/backfills/${value}`} className="asset-chip">
        backfill {value.slice(0, 8)}
      </Link>
    );
  return (
    <span className="asset-chip">
      {name}={value}
    </span>
  );
}
