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
ALTER TABLE "lignee"."check_results" ADD COLUMN "duration_ms" integer;--> statement-breakpoint
CREATE INDEX "check_latest_failed_idx" ON "lignee"."check_latest" USING btree ("asset_key") WHERE NOT passed AND severity = 'error';--> statement-breakpoint
CREATE INDEX "check_results_partition_idx" ON "lignee"."check_results" USING btree ("asset_key","check_name","partition_key","id");