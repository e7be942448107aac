DROP INDEX "lignee"."audit_events_actor_idx";--> statement-breakpoint
ALTER TABLE "lignee"."users" ADD COLUMN "password_changed_at" timestamp with time zone;--> statement-breakpoint
CREATE INDEX "audit_events_actor_idx" ON "lignee"."audit_events" USING btree (lower("actor"),"id");--> statement-breakpoint
ALTER TABLE "lignee"."api_tokens" ADD CONSTRAINT "api_tokens_scope_check" CHECK ("lignee"."api_tokens"."scope" IN ('read', 'operate'));--> statement-breakpoint
ALTER TABLE "lignee"."audit_events" ADD CONSTRAINT "audit_events_actor_kind_check" CHECK ("lignee"."audit_events"."actor_kind" IN ('user', 'token', 'service', 'local', 'cli'));--> statement-breakpoint
ALTER TABLE "lignee"."users" ADD CONSTRAINT "users_role_check" CHECK ("lignee"."users"."role" IN ('viewer', 'operator', 'admin'));