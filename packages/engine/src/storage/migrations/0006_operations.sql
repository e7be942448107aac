CREATE TABLE "lignee"."alert_deliveries" (
	"event_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"leased_until" timestamp with time zone,
	"leased_by" text,
	"last_error" text,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_deliveries_event_id_channel_pk" PRIMARY KEY("event_id","channel")
);
--> statement-breakpoint
CREATE TABLE "lignee"."check_latest" (
	"asset_key" text NOT NULL,
	"check_name" text NOT NULL,
	"partition_key" text NOT NULL,
	"partition_index" integer NOT NULL,
	"result_id" bigint NOT NULL,
	"passed" boolean NOT NULL,
	"severity" text NOT NULL,
	CONSTRAINT "check_latest_asset_key_check_name_partition_key_pk" PRIMARY KEY("asset_key","check_name","partition_key")
);
--> statement-breakpoint
CREATE TABLE "lignee"."check_switches" (
	"asset_key" text NOT NULL,
	"check_name" text NOT NULL,
	"enabled" boolean NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" text,
	CONSTRAINT "check_switches_asset_key_check_name_pk" PRIMARY KEY("asset_key","check_name")
);
--> statement-breakpoint
CREATE TABLE "lignee"."freshness_state" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"since" timestamp with time zone,
	"partition_key" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lignee"."check_results" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
ALTER TABLE "lignee"."alert_deliveries" ADD CONSTRAINT "alert_deliveries_event_id_alert_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "lignee"."alert_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "alert_deliveries_due_idx" ON "lignee"."alert_deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "alert_deliveries_updated_idx" ON "lignee"."alert_deliveries" USING btree ("updated_at");--> statement-breakpoint
CREATE INDEX "check_latest_failed_idx" ON "lignee"."check_latest" USING btree ("asset_key") WHERE NOT passed AND severity = 'error';--> statement-breakpoint
CREATE INDEX "check_results_partition_idx" ON "lignee"."check_results" USING btree ("asset_key","check_name","partition_key","id");--> statement-breakpoint
-- Check results recorded before this migration: the latest of each (asset, check, partition)
-- becomes its check_latest row, so that a failed error check recorded earlier still holds its
-- downstream (partition index -1: looked up by key, the asset's partitions being unknown here).
INSERT INTO "lignee"."check_latest" (asset_key, check_name, partition_key, partition_index, result_id, passed, severity)
SELECT DISTINCT ON (asset_key, check_name, partition_key)
       asset_key, check_name, partition_key, -1, id, passed, severity
FROM "lignee"."check_results"
ORDER BY asset_key, check_name, partition_key, id DESC;
