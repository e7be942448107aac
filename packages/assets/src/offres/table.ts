/**
 * Raw job offers, one row per offer and creation day (the partition). The API's JSON is kept
 * whole in `data`; the dbt models extract the fields they need, so a new API field never
 * requires reloading.
 */
export const OFFRES_TABLE = "raw.offres";

export const OFFRES_DDL = `
CREATE SCHEMA IF NOT EXISTS raw;
CREATE TABLE IF NOT EXISTS raw.offres (
  jour date NOT NULL,
  id text NOT NULL,
  data jsonb NOT NULL,
  PRIMARY KEY (jour, id)
);
-- An id belongs to one day: the unique_ids check looks for it on the other days.
CREATE INDEX IF NOT EXISTS offres_id_idx ON raw.offres (id);`;
