ALTER TABLE "lignee"."runs" ADD COLUMN "launched_by" text;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "launched_by_detail" text;--> statement-breakpoint
-- Runs recorded before this migration: what launched them, where their tags tell it (runs of
-- the CLI or the API carry no sign of it and stay unknown).
UPDATE "lignee"."runs" SET
  "launched_by" = CASE
    WHEN tags ? 'reexecutionOf' THEN 'reexecution'
    WHEN backfill_id IS NOT NULL THEN 'backfill'
    WHEN tags->>'trigger' IN ('schedule', 'sensor', 'eager') THEN tags->>'trigger'
  END,
  "launched_by_detail" = CASE
    WHEN tags ? 'reexecutionOf' THEN tags->>'reexecutionOf'
    WHEN backfill_id IS NOT NULL THEN backfill_id
    WHEN tags->>'trigger' = 'schedule' THEN tags->>'schedule'
    WHEN tags->>'trigger' = 'sensor' THEN tags->>'sensor'
  END
WHERE "launched_by" IS NULL;
