import { openDatabase } from '../open-database.ts';
import { openPostgresDatabase } from '../open-postgres.ts';
import { type AttuneStore, postgresStore, sqliteStore } from './attune-store.ts';

/** Where a store's data lives: the SQLite file, or a PostgreSQL database several replicas share. */
export type StoreLocation =
  { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string; poolSize: number };

/**
 * Opens the database at `location`, applies pending migrations (on PostgreSQL under the
 * migration lock, so replicas booting together never race) and returns the store on it.
 */
export async function openStore(location: StoreLocation): Promise<AttuneStore> {
  if (location.engine === 'sqlite') return sqliteStore(openDatabase(location.path));
  return postgresStore(await openPostgresDatabase(location.url, { poolSize: location.poolSize }));
}
