CREATE TABLE `action_tokens` (
	`id` text PRIMARY KEY NOT NULL,
	`purpose` text NOT NULL,
	`user_id` text,
	`email` text NOT NULL,
	`role` text,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`used_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "action_tokens_purpose_check" CHECK("action_tokens"."purpose" IN ('password_reset', 'email_verification', 'set_password', 'invitation')),
	CONSTRAINT "action_tokens_role_check" CHECK("action_tokens"."role" IS NULL OR "action_tokens"."role" IN ('admin', 'moderator', 'analyst', 'user', 'guest'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `action_tokens_token_hash_unique` ON `action_tokens` (`token_hash`);--> statement-breakpoint
CREATE INDEX `action_tokens_user_purpose_idx` ON `action_tokens` (`user_id`,`purpose`);--> statement-breakpoint
CREATE INDEX `action_tokens_email_purpose_created_idx` ON `action_tokens` (`email`,`purpose`,`created_at`);--> statement-breakpoint
CREATE INDEX `action_tokens_expires_idx` ON `action_tokens` (`expires_at`);--> statement-breakpoint
CREATE TABLE `login_throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`window_started_at` integer NOT NULL,
	`blocked_until` integer
);
--> statement-breakpoint
CREATE INDEX `login_throttle_window_idx` ON `login_throttle` (`window_started_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
-- Rebuilding users (for the moderator role and a nullable password) renames a table the view
-- reads; SQLite refuses that while the view exists, so the view is dropped and made again below.
-- Foreign keys are off during migrations (open-database.ts), so the DROP does not cascade.
DROP VIEW `session_durations`;--> statement-breakpoint
CREATE TABLE `__new_users` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`full_name` text NOT NULL,
	`password_hash` text,
	`role` text DEFAULT 'user' NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`created_at` integer NOT NULL,
	`last_login` integer,
	`email_verified_at` integer,
	`pending_email` text,
	CONSTRAINT "users_role_check" CHECK("__new_users"."role" IN ('admin', 'moderator', 'analyst', 'user', 'guest')),
	CONSTRAINT "users_status_check" CHECK("__new_users"."status" IN ('active', 'suspended'))
);
--> statement-breakpoint
-- Existing accounts count as verified (email_verified_at = created_at): turning on
-- REQUIRE_EMAIL_VERIFICATION later must not shut out anyone who already uses the service.
INSERT INTO `__new_users`("id", "email", "full_name", "password_hash", "role", "status", "created_at", "last_login", "email_verified_at", "pending_email") SELECT "id", "email", "full_name", "password_hash", "role", "status", "created_at", "last_login", "created_at", NULL FROM `users`;--> statement-breakpoint
DROP TABLE `users`;--> statement-breakpoint
ALTER TABLE `__new_users` RENAME TO `users`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `users_email_unique` ON `users` (`email`);--> statement-breakpoint
CREATE VIEW `session_durations` AS select "user_sessions"."id" as "session_id", "user_sessions"."user_id" as "user_id", "users"."email" as "email", "user_sessions"."room_name" as "room_name", "user_sessions"."status" as "status", strftime('%Y-%m-%dT%H:%M:%fZ', "user_sessions"."issued_at" / 1000.0, 'unixepoch') as "issued_at", strftime('%Y-%m-%dT%H:%M:%fZ', "user_sessions"."session_start" / 1000.0, 'unixepoch') as "session_start", strftime('%Y-%m-%dT%H:%M:%fZ', "user_sessions"."session_end" / 1000.0, 'unixepoch') as "session_end", date("user_sessions"."session_start" / 1000, 'unixepoch') as "day", "user_sessions"."duration_seconds" as "duration_seconds", "user_sessions"."end_reason" as "end_reason" from "user_sessions" inner join "users" on "users"."id" = "user_sessions"."user_id";
