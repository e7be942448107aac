CREATE TABLE "lignee"."automation_state" (
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"cursor" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "automation_state_kind_name_pk" PRIMARY KEY("kind","name")
);
--> statement-breakpoint
CREATE TABLE "lignee"."backfills" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"selection" text NOT NULL,
	"from_key" text NOT NULL,
	"to_key" text NOT NULL,
	"chunk_size" integer NOT NULL,
	"total_chunks" integer NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignee"."schedule_ticks" (
	"schedule" text NOT NULL,
	"scheduled_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"run_id" text,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedule_ticks_schedule_scheduled_at_pk" PRIMARY KEY("schedule","scheduled_at")
);
--> statement-breakpoint
CREATE TABLE "lignee"."sensor_ticks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"sensor" text NOT NULL,
	"status" text NOT NULL,
	"cursor" text,
	"run_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "attempt" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "max_attempts" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "worker_id" text;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "lease_expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "pools" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "cancel_requested" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "lignee"."runs" ADD COLUMN "backfill_id" text;--> statement-breakpoint
CREATE INDEX "sensor_ticks_sensor_idx" ON "lignee"."sensor_ticks" USING btree ("sensor","id");--> statement-breakpoint
CREATE INDEX "runs_queued_idx" ON "lignee"."runs" USING btree ("created_at") WHERE status = 'QUEUED';--> statement-breakpoint
CREATE INDEX "runs_backfill_idx" ON "lignee"."runs" USING btree ("backfill_id");