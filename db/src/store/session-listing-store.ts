import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { type SessionListQuery, listSessionsPg } from '../postgres/session-listing.ts';
import { type SessionPage, listSessions } from '../queries/session-analytics.ts';
import { runSync } from './run-sync.ts';

/**
 * Sessions a page at a time, newest first (keyset pagination: stable while new sessions arrive),
 * for /me/sessions, /admin/sessions and /analytics/sessions. The order, and so every cursor, is
 * the same on both engines.
 */
export interface SessionListingStore {
  list(query: SessionListQuery): Promise<SessionPage>;
}

export function sqliteSessionListingStore({ db }: AttuneDatabase): SessionListingStore {
  return { list: (query) => runSync(() => listSessions(db, query)) };
}

export function postgresSessionListingStore({ db }: PostgresDatabase): SessionListingStore {
  return { list: (query) => listSessionsPg(db, query) };
}
