import { OFFER_FIELDS } from "./offer-row";

/**
 * Raw job offers, one row per offer and creation day (the partition). The API's JSON is kept
 * whole, as it came, in `data`: `text`, checked to be a JSON object by the loader (JSON.parse),
 * so that PostgreSQL takes it in at the cost of a COPY of text where `jsonb` (or `json`, whose
 * check is as slow) would parse every offer again; query it as `data::jsonb ->> 'field'`. A new
 * API field is there without reloading. The fields the models use are also extracted once, at
 * load, into text columns (`OFFER_FIELDS`: what `data ->> '…'` gives), so that the models read
 * columns instead of parsing 900,000 JSON documents on every build.
 */
export const OFFRES_TABLE = "raw.offres";

const FIELD_COLUMNS = OFFER_FIELDS.map((f) => `${f.column} text`);

/**
 * The row size (bytes) above which PostgreSQL compresses a row's long values: the largest it
 * takes instead of its default of about 2 KB. An offer's row (its JSON, ~1.5 KB, and the
 * extracted fields) is just above 2 KB for about two offers in five, and compressing their
 * JSON (pglz) made COPY about 40 % slower for some 6 % less space: such rows are now stored
 * as they are, and only rows beyond a page's worth are still compressed or moved out of line.
 */
const TOAST_TUPLE_TARGET = 8160;

/** `data ->> 'a'` or `data -> 'a' ->> 'b'`: the SQL of a field, for the backfill. */
function fieldSql(path: readonly string[]): string {
  const keys = path.map((k) => `'${k}'`);
  return `data${keys
    .slice(0, -1)
    .map((k) => ` -> ${k}`)
    .join("")} ->> ${keys.at(-1)!}`;
}

/**
 * A table of the first shape (`data jsonb` alone) gets the field columns, filled from its JSON,
 * and `data` becomes `text` (jsonb's rendering of each offer), in one transaction
 * (Warehouse.ensure's): its offers are kept, and the models read the same values as before.
 * Without such a table (none, or already migrated) it does nothing. Part of `OFFRES_DDL`, and
 * applied on its own when a run's resources are created, so that a model built before any
 * day is loaded again finds the columns.
 */
export const OFFRES_MIGRATION = `
DO $migrate$
BEGIN
  IF (SELECT data_type FROM information_schema.columns
      WHERE table_schema = 'raw' AND table_name = 'offres' AND column_name = 'data') = 'jsonb' THEN
    ALTER TABLE raw.offres
${OFFER_FIELDS.map((f) => `      ADD COLUMN IF NOT EXISTS ${f.column} text`).join(",\n")};
    UPDATE raw.offres SET
${OFFER_FIELDS.map((f) => `      ${f.column} = ${fieldSql(f.path)}`).join(",\n")};
    ALTER TABLE raw.offres ALTER COLUMN data TYPE text USING data::text;
  END IF;
END
$migrate$;`;

export const OFFRES_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.offres (
  jour date NOT NULL,
  id text NOT NULL,
  data text NOT NULL,
${FIELD_COLUMNS.map((c) => `  ${c},`).join("\n")}
  PRIMARY KEY (jour, id)
) WITH (toast_tuple_target = ${TOAST_TUPLE_TARGET});
${OFFRES_MIGRATION}
-- A table created before the setting gets it (its new rows only), when missing. The setting
-- only saves time: it never holds a load up. It is skipped (and tried again by the next load)
-- when its lock is not free within two seconds (autovacuum, or a day's ANALYZE until its load
-- commits) or when the role does not own the table, with a warning in the server's log.
DO $toast$
DECLARE
  previous text := current_setting('lock_timeout');
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_class
                 WHERE oid = 'raw.offres'::regclass
                   AND 'toast_tuple_target=${TOAST_TUPLE_TARGET}' = ANY (reloptions)) THEN
    PERFORM set_config('lock_timeout', '2s', true);
    BEGIN
      ALTER TABLE raw.offres SET (toast_tuple_target = ${TOAST_TUPLE_TARGET});
    EXCEPTION WHEN lock_not_available OR insufficient_privilege THEN
      RAISE WARNING 'raw.offres keeps its storage setting for now: %', SQLERRM;
    END;
    PERFORM set_config('lock_timeout', previous, true);
  END IF;
END
$toast$;
-- An id belongs to one day: the unique_ids check looks for it on the other days. Created only
-- when missing: CREATE INDEX IF NOT EXISTS would take its table lock first, and so wait for any
-- day whose load is open (a collection streams into its transaction for minutes).
DO $index$
BEGIN
  IF to_regclass('raw.offres_id_idx') IS NULL THEN
    CREATE INDEX offres_id_idx ON raw.offres (id);
  END IF;
END
$index$;`;
