CREATE SCHEMA IF NOT EXISTS "lignee";
--> statement-breakpoint
CREATE TABLE "lignee"."asset_digests" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"digest" bigint NOT NULL,
	"partition_count" integer NOT NULL,
	"last_materialization_id" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignee"."asset_failed" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"partitions" "int4multirange" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignee"."asset_partitions" (
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"partition_index" integer NOT NULL,
	"materialization_id" bigint NOT NULL,
	"run_id" text NOT NULL,
	"data_version" text NOT NULL,
	"version_hash" bigint NOT NULL,
	"code_version" text NOT NULL,
	"deps_signature" text NOT NULL,
	"materialized_at" timestamp with time zone NOT NULL,
	CONSTRAINT "asset_partitions_asset_key_partition_index_pk" PRIMARY KEY("asset_key","partition_index")
);
--> statement-breakpoint
CREATE TABLE "lignee"."asset_running" (
	"asset_key" text NOT NULL,
	"run_id" text NOT NULL,
	"partitions" "int4multirange" NOT NULL,
	CONSTRAINT "asset_running_asset_key_run_id_pk" PRIMARY KEY("asset_key","run_id")
);
--> statement-breakpoint
CREATE TABLE "lignee"."asset_stale_marks" (
	"asset_key" text NOT NULL,
	"upstream_key" text NOT NULL,
	"partitions" "int4multirange" NOT NULL,
	CONSTRAINT "asset_stale_marks_asset_key_upstream_key_pk" PRIMARY KEY("asset_key","upstream_key")
);
--> statement-breakpoint
CREATE TABLE "lignee"."asset_version_ranges" (
	"asset_key" text NOT NULL,
	"code_version" text NOT NULL,
	"deps_signature" text NOT NULL,
	"partitions" "int4multirange" NOT NULL,
	CONSTRAINT "asset_version_ranges_asset_key_code_version_deps_signature_pk" PRIMARY KEY("asset_key","code_version","deps_signature")
);
--> statement-breakpoint
CREATE TABLE "lignee"."check_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"asset_key" text NOT NULL,
	"partition_key" text DEFAULT '' NOT NULL,
	"check_name" text NOT NULL,
	"passed" boolean NOT NULL,
	"severity" text NOT NULL,
	"description" text,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignee"."events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"type" text NOT NULL,
	"level" text NOT NULL,
	"step_key" text,
	"asset_key" text,
	"partition_key" text,
	"message" text NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "lignee"."materializations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" text NOT NULL,
	"asset_key" text NOT NULL,
	"partition_key" text NOT NULL,
	"partition_index" integer NOT NULL,
	"data_version" text NOT NULL,
	"code_version" text NOT NULL,
	"input_versions" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lignee"."runs" (
	"id" text PRIMARY KEY NOT NULL,
	"status" text NOT NULL,
	"selection" text NOT NULL,
	"asset_keys" jsonb NOT NULL,
	"partition_spec" jsonb,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"hostname" text,
	"pid" integer,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "lignee"."events" ADD CONSTRAINT "events_run_id_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "lignee"."runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "check_results_asset_idx" ON "lignee"."check_results" USING btree ("asset_key","check_name","id");--> statement-breakpoint
CREATE INDEX "events_run_id_idx" ON "lignee"."events" USING btree ("run_id","id");--> statement-breakpoint
CREATE INDEX "materializations_asset_idx" ON "lignee"."materializations" USING btree ("asset_key","partition_index","id");--> statement-breakpoint
CREATE INDEX "runs_created_at_idx" ON "lignee"."runs" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "runs_status_idx" ON "lignee"."runs" USING btree ("status");