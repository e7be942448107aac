DROP INDEX "lignee"."runs_queued_idx";--> statement-breakpoint
CREATE INDEX "runs_queued_idx" ON "lignee"."runs" USING btree (("backfill_id" IS NOT NULL),"created_at","id") WHERE status = 'QUEUED';