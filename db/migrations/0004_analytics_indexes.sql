-- Indexes for the session duration report (db/src/queries/session-analytics.ts). Only indexes
-- change: no table is rebuilt. Building them reads user_sessions once (about 10 s per million
-- sessions on a small machine).
DROP INDEX `user_sessions_status_idx`;--> statement-breakpoint
DROP INDEX `user_sessions_room_identity_idx`;--> statement-breakpoint
DROP INDEX `user_sessions_user_status_idx`;--> statement-breakpoint
CREATE INDEX `user_sessions_issued_day_idx` ON `user_sessions` (("issued_at" / 86400000),`status`,`issued_at`,`session_start`);--> statement-breakpoint
CREATE INDEX `user_sessions_ended_day_idx` ON `user_sessions` (("session_start" / 86400000),`duration_seconds`,`session_start`) WHERE "user_sessions"."status" = 'ended';--> statement-breakpoint
CREATE INDEX `user_sessions_ended_user_idx` ON `user_sessions` (`user_id`,`duration_seconds`,`session_start`) WHERE "user_sessions"."status" = 'ended';--> statement-breakpoint
CREATE INDEX `user_sessions_ended_room_idx` ON `user_sessions` (`room_name`,`duration_seconds`,`session_start`) WHERE "user_sessions"."status" = 'ended';--> statement-breakpoint
CREATE INDEX `user_sessions_room_identity_idx` ON `user_sessions` (`room_name`,`participant_identity`,`issued_at`,`status`,`session_start`);--> statement-breakpoint
CREATE INDEX `user_sessions_user_status_idx` ON `user_sessions` (`user_id`,`status`,`issued_at`,`session_start`);