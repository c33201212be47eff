export {
  openDatabase,
  openReadOnlyDatabase,
  type AttuneDatabase,
  type Db,
  type ReadOnlyDatabase,
} from './open-database.ts';
export {
  openPostgresDatabase,
  type OpenPostgresOptions,
  type PgDb,
  type PostgresDatabase,
} from './open-postgres.ts';
export {
  type AttuneStore,
  type StoreEngine,
  postgresStore,
  sqliteStore,
} from './store/attune-store.ts';
export { openStore, type StoreLocation } from './store/open-store.ts';
export { RATE_LIMIT_TABLE, openRateLimitPool } from './postgres/rate-limit-table.ts';
export type { AnalyticsStore } from './store/analytics-store.ts';
export type { PreferenceStore } from './store/preference-store.ts';
export type { RefreshTokenStore } from './store/refresh-token-store.ts';
export type { AuditStore } from './store/audit-store.ts';
export type { ConversationTurnStore } from './store/conversation-turn-store.ts';
export type { AccountStore } from './store/account-store.ts';
export type { AdminStore } from './store/admin-store.ts';
export type {
  AdminInvitation,
  AdminInvitationResult,
  AdminNewUser,
  AdminNewUserResult,
} from './queries/admin-accounts.ts';
export type { SessionTimelineStore } from './store/session-timeline-store.ts';
export { type TimelineEvent, applyTimelineEvent } from './session-timeline-rules.ts';
export type { IngestOutcome, TimelineChange, WebhookDelivery } from './webhook-delivery.ts';
export type { LoginThrottleStore } from './store/login-throttle-store.ts';
export type { UserStore } from './store/user-store.ts';
export type { ActionTokenStore, CappedIssue, MailCap } from './store/action-token-store.ts';
export type { EmailChangeStore } from './store/email-change-store.ts';
export type { AccountRecoveryStore, PasswordSet } from './store/account-recovery-store.ts';
export type { AuditFor } from './queries/audit-builder.ts';
export type {
  RoomSessionOutcome,
  RoomSessionRequest,
  RoomSessionStore,
} from './store/room-session-store.ts';
export type {
  NewGuest,
  NewSignIn,
  SignInRecord,
  SignInStore,
  SignUpResult,
} from './store/sign-in-store.ts';
export type { AgentSessionStore } from './store/agent-session-store.ts';
export type { SessionSweepStore, SweepCutoffs, SweepOutcome } from './store/session-sweep-store.ts';
export type { SessionListingStore } from './store/session-listing-store.ts';
export type { SessionListQuery } from './postgres/session-listing.ts';
export { databasePathProblem } from './database-path.ts';
export { isDatabaseBusy } from './database-busy.ts';
export type { GroupCommit } from './group-commit.ts';
export * from './schema.ts';
export * from './queries/users.ts';
export * from './queries/new-account.ts';
export * from './queries/login-throttle.ts';
export * from './queries/action-tokens.ts';
export * from './queries/email-change.ts';
export * from './queries/account-recovery.ts';
export * from './queries/rooms.ts';
export * from './queries/user-sessions.ts';
export * from './queries/refresh-tokens.ts';
export * from './queries/preferences.ts';
export * from './queries/conversation-turns.ts';
export * from './queries/session-timeline.ts';
export * from './queries/session-analytics.ts';
export * from './queries/audit-log.ts';
export * from './queries/account.ts';
export * from './queries/admin.ts';
export * from './queries/agent-sessions.ts';
