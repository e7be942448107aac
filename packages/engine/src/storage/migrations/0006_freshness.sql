CREATE TABLE "lignee"."freshness_state" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"state" text NOT NULL,
	"since" timestamp with time zone,
	"partition_key" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
