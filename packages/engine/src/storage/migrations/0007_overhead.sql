CREATE TABLE "lignee"."asset_claims" (
	"asset_key" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
