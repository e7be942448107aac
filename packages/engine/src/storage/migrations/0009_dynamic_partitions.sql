CREATE TABLE "lignee"."dynamic_partition_keys" (
	"set_name" text NOT NULL,
	"key" text NOT NULL,
	"partition_index" integer NOT NULL,
	"added_at" timestamp with time zone DEFAULT now() NOT NULL,
	"removed_at" timestamp with time zone,
	CONSTRAINT "dynamic_partition_keys_set_name_key_pk" PRIMARY KEY("set_name","key")
);
--> statement-breakpoint
CREATE TABLE "lignee"."dynamic_partition_sets" (
	"name" text PRIMARY KEY NOT NULL,
	"next_index" integer DEFAULT 0 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lignee"."dynamic_partition_keys" ADD CONSTRAINT "dynamic_partition_keys_set_name_dynamic_partition_sets_name_fk" FOREIGN KEY ("set_name") REFERENCES "lignee"."dynamic_partition_sets"("name") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dynamic_partition_keys_index_idx" ON "lignee"."dynamic_partition_keys" USING btree ("set_name","partition_index");