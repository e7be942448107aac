ALTER TABLE "lignee"."backfills" ADD COLUMN "config" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "config" jsonb DEFAULT '{}'::jsonb NOT NULL;