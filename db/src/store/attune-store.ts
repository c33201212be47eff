import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { type AccountStore, postgresAccountStore, sqliteAccountStore } from './account-store.ts';
import { type AdminStore, postgresAdminStore, sqliteAdminStore } from './admin-store.ts';
import { type AuditStore, postgresAuditStore, sqliteAuditStore } from './audit-store.ts';
import {
  type ConversationTurnStore,
  postgresConversationTurnStore,
  sqliteConversationTurnStore,
} from './conversation-turn-store.ts';
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
  type SessionTimelineStore,
  postgresSessionTimelineStore,
  sqliteSessionTimelineStore,
} from './session-timeline-store.ts';

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
  readonly preferences: PreferenceStore;
  readonly refreshTokens: RefreshTokenStore;
  readonly audit: AuditStore;
  readonly conversationTurns: ConversationTurnStore;
  readonly accounts: AccountStore;
  readonly admin: AdminStore;
  readonly sessionTimeline: SessionTimelineStore;
}

export function sqliteStore(database: AttuneDatabase): AttuneStore {
  return {
    engine: 'sqlite',
    preferences: sqlitePreferenceStore(database),
    refreshTokens: sqliteRefreshTokenStore(database),
    audit: sqliteAuditStore(database),
    conversationTurns: sqliteConversationTurnStore(database),
    accounts: sqliteAccountStore(database),
    admin: sqliteAdminStore(database),
    sessionTimeline: sqliteSessionTimelineStore(database),
  };
}

export function postgresStore(database: PostgresDatabase): AttuneStore {
  return {
    engine: 'postgres',
    preferences: postgresPreferenceStore(database),
    refreshTokens: postgresRefreshTokenStore(database),
    audit: postgresAuditStore(database),
    conversationTurns: postgresConversationTurnStore(database),
    accounts: postgresAccountStore(database),
    admin: postgresAdminStore(database),
    sessionTimeline: postgresSessionTimelineStore(database),
  };
}
