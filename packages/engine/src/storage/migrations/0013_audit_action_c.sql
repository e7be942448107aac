DROP INDEX "lignee"."audit_events_action_idx";--> statement-breakpoint
CREATE INDEX "audit_events_action_c_idx" ON "lignee"."audit_events" USING btree ("action" COLLATE "C","id");