CREATE TABLE "lignee"."asset_partitions_layouts" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"layout" text NOT NULL
);
