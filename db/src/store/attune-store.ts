import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import {
  type AccountRecoveryStore,
  postgresAccountRecoveryStore,
  sqliteAccountRecoveryStore,
} from './account-recovery-store.ts';
import { type AccountStore, postgresAccountStore, sqliteAccountStore } from './account-store.ts';
import {
  type ActionTokenStore,
  postgresActionTokenStore,
  sqliteActionTokenStore,
} from './action-token-store.ts';
import { type AdminStore, postgresAdminStore, sqliteAdminStore } from './admin-store.ts';
import {
  type AgentSessionStore,
  postgresAgentSessionStore,
  sqliteAgentSessionStore,
} from './agent-session-store.ts';
import {
  type AnalyticsStore,
  postgresAnalyticsStore,
  sqliteAnalyticsStore,
} from './analytics-store.ts';
import { type AuditStore, postgresAuditStore, sqliteAuditStore } from './audit-store.ts';
import {
  type ConversationTurnStore,
  postgresConversationTurnStore,
  sqliteConversationTurnStore,
} from './conversation-turn-store.ts';
import {
  type EmailChangeStore,
  postgresEmailChangeStore,
  sqliteEmailChangeStore,
} from './email-change-store.ts';
import {
  type LoginThrottleStore,
  postgresLoginThrottleStore,
  sqliteLoginThrottleStore,
} from './login-throttle-store.ts';
import {
  type PreferenceStore,
  postgresPreferenceStore,
  sqlitePreferenceStore,
} from './preference-store.ts';
import {
  type RefreshTokenStore,
  postgresRefreshTokenStore,
  sqliteRefreshTokenStore,
} from './refresh-token-store.ts';
import {
  type RoomSessionStore,
  postgresRoomSessionStore,
  sqliteRoomSessionStore,
} from './room-session-store.ts';
import { runSync } from './run-sync.ts';
import {
  type SessionListingStore,
  postgresSessionListingStore,
  sqliteSessionListingStore,
} from './session-listing-store.ts';
import {
  type SessionSweepStore,
  postgresSessionSweepStore,
  sqliteSessionSweepStore,
} from './session-sweep-store.ts';
import {
  type SessionTimelineStore,
  postgresSessionTimelineStore,
  sqliteSessionTimelineStore,
} from './session-timeline-store.ts';
import { type SignInStore, postgresSignInStore, sqliteSignInStore } from './sign-in-store.ts';
import { type UserStore, postgresUserStore, sqliteUserStore } from './user-store.ts';

/** Which database an `AttuneStore` runs on. */
export type StoreEngine = 'sqlite' | 'postgres';

/**
 * The async interface to Attune's data, the same on SQLite and PostgreSQL, one facet per kind of
 * data (each in its own module here). Every method is one named unit of work: one transaction on
 * either engine, with PostgreSQL's row locks, conditional updates and retries inside it, so
 * callers never open transactions themselves.
 *
 * The service is moving onto it a feature at a time (see docs/database.md); what is not here yet
 * is still reached through the synchronous SQLite queries.
 */
export interface AttuneStore {
  readonly engine: StoreEngine;
  /** True while the database answers a trivial query (the readiness check). */
  isReachable(): Promise<boolean>;
  /** Closes the SQLite file or ends the PostgreSQL pool; the store is unusable afterwards. */
  close(): Promise<void>;
  readonly analytics: AnalyticsStore;
  readonly preferences: PreferenceStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly audit: AuditStore;
  readonly conversationTurns: ConversationTurnStore;
  readonly accounts: AccountStore;
  readonly admin: AdminStore;
  readonly sessionTimeline: SessionTimelineStore;
  readonly users: UserStore;
  readonly loginThrottle: LoginThrottleStore;
  readonly actionTokens: ActionTokenStore;
  readonly emailChange: EmailChangeStore;
  readonly accountRecovery: AccountRecoveryStore;
  readonly roomSessions: RoomSessionStore;
  readonly sessionListings: SessionListingStore;
  readonly signIns: SignInStore;
  readonly agentSessions: AgentSessionStore;
  readonly sessionSweep: SessionSweepStore;
}

export function sqliteStore(database: AttuneDatabase): AttuneStore {
  return {
    engine: 'sqlite',
    isReachable: () => runSync(() => database.isReachable()),
    close: () => runSync(() => database.close()),
    analytics: sqliteAnalyticsStore(database),
    preferences: sqlitePreferenceStore(database),
    refreshTokens: sqliteRefreshTokenStore(database),
    audit: sqliteAuditStore(database),
    conversationTurns: sqliteConversationTurnStore(database),
    accounts: sqliteAccountStore(database),
    admin: sqliteAdminStore(database),
    sessionTimeline: sqliteSessionTimelineStore(database),
    users: sqliteUserStore(database),
    loginThrottle: sqliteLoginThrottleStore(database),
    actionTokens: sqliteActionTokenStore(database),
    emailChange: sqliteEmailChangeStore(database),
    accountRecovery: sqliteAccountRecoveryStore(database),
    roomSessions: sqliteRoomSessionStore(database),
    sessionListings: sqliteSessionListingStore(database),
    signIns: sqliteSignInStore(database),
    agentSessions: sqliteAgentSessionStore(database),
    sessionSweep: sqliteSessionSweepStore(database),
  };
}

export function postgresStore(database: PostgresDatabase): AttuneStore {
  return {
    engine: 'postgres',
    isReachable: () => database.isReachable(),
    close: () => database.close(),
    analytics: postgresAnalyticsStore(database),
    preferences: postgresPreferenceStore(database),
    refreshTokens: postgresRefreshTokenStore(database),
    audit: postgresAuditStore(database),
    conversationTurns: postgresConversationTurnStore(database),
    accounts: postgresAccountStore(database),
    admin: postgresAdminStore(database),
    sessionTimeline: postgresSessionTimelineStore(database),
    users: postgresUserStore(database),
    loginThrottle: postgresLoginThrottleStore(database),
    actionTokens: postgresActionTokenStore(database),
    emailChange: postgresEmailChangeStore(database),
    accountRecovery: postgresAccountRecoveryStore(database),
    roomSessions: postgresRoomSessionStore(database),
    sessionListings: postgresSessionListingStore(database),
    signIns: postgresSignInStore(database),
    agentSessions: postgresAgentSessionStore(database),
    sessionSweep: postgresSessionSweepStore(database),
  };
}
