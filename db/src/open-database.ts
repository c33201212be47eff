import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { databasePathProblem } from './database-path.ts';
import { type GroupCommit, createGroupCommit } from './group-commit.ts';
import * as schema from './schema.ts';
import {
  BACKSTOP_CHECKPOINT_PAGES,
  type BackgroundCheckpointOptions,
  type WalCheckpointer,
  startWalCheckpointer,
} from './wal-checkpointer.ts';

/** The database or a transaction on it: every query function takes either. */
export type Db = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export interface AttuneDatabase {
  /** Typed drizzle handle every query function takes. */
  readonly db: Db;
  /** The file the database lives in (`:memory:` never: Attune always runs on a real file). */
  readonly path: string;
  /** Shared-transaction writes for hot paths: many requests, one commit. */
  readonly groupCommit: GroupCommit;
  /** True while the connection answers a trivial query. */
  isReachable(): boolean;
  close(): void;
}

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../migrations', import.meta.url));

export interface OpenDatabaseOptions {
  /**
   * How long a statement waits, blocking, for another process's write lock before failing with
   * SQLITE_BUSY. Kept short so a lock never stalls the event loop for long; group commits retry
   * on their own without blocking.
   */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the write-ahead log from a worker thread (the service turns this on). Without it
   * the connection that commits checkpoints every 1,000 pages itself, on the event loop.
   */
  backgroundCheckpoint?: BackgroundCheckpointOptions | undefined;
}

/** Throws, saying why, before a path that is no database file (e.g. under /proc) is opened. */
function refuseUnusablePath(path: string): void {
  const problem = databasePathProblem(path);
  if (problem) throw new Error(problem);
}

/**
 * Opens (creating if needed) the SQLite file at `path`, sets WAL, foreign keys and a busy
 * timeout, and applies every pending drizzle-kit migration before anything else touches it.
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): AttuneDatabase {
  return openConnection(path, options).database;
}

/**
 * `openDatabase` plus the raw better-sqlite3 handle, for this package's own code and tests;
 * other packages never get it (they use the typed queries).
 */
export function openConnection(
  path: string,
  options: OpenDatabaseOptions = {},
): { database: AttuneDatabase; connection: Database.Database } {
  refuseUnusablePath(path);
  const absolute = resolve(path);
  mkdirSync(dirname(absolute), { recursive: true, mode: 0o700 });
  // The file holds password hashes: readable by its owner only. SQLite gives the -wal and -shm
  // files the same permissions as the database file.
  closeSync(openSync(absolute, 'a', 0o600));
  chmodSync(absolute, 0o600);
  const sqlite = new Database(absolute);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  // The group commit gives each piece of work a savepoint, and SQLite keeps a savepoint's undo
  // pages in a temp file by default: a file created, written and deleted on every commit (most
  // of the system time of minting a token). In memory they cost a copy. The writer's queries are
  // small; the analytics reports, which sort a million rows, run on read-only connections.
  sqlite.pragma('temp_store = MEMORY');
  const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 50));
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  const db = drizzle(sqlite, { schema });
  migrateWithoutCascades(sqlite, db);
  sqlite.pragma('foreign_keys = ON');
  let checkpointer: WalCheckpointer | undefined;
  if (options.backgroundCheckpoint) {
    sqlite.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    checkpointer = startWalCheckpointer(absolute, options.backgroundCheckpoint);
  }
  const ping = sqlite.prepare('SELECT 1');
  const database: AttuneDatabase = {
    db,
    path: absolute,
    groupCommit: createGroupCommit(db, sqlite, { busyTimeoutMs }),
    isReachable() {
      try {
        return sqlite.open && ping.pluck().get() === 1;
      } catch {
        return false;
      }
    },
    close() {
      checkpointer?.stop();
      if (sqlite.open) sqlite.close();
    },
  };
  return { database, connection: sqlite };
}

/**
 * Applies pending migrations with foreign keys off. A migration that rebuilds a table (SQLite's
 * only way to change a column or a CHECK) drops the old table, and with foreign keys on that DROP
 * deletes or nulls every row referencing it (a user's tokens, rooms, sessions, turns). drizzle
 * runs all migrations in one transaction, where the migration's own `PRAGMA foreign_keys=OFF` has
 * no effect, so it is turned off here, around the migrator, and the result checked afterwards.
 */
function migrateWithoutCascades(sqlite: Database.Database, db: Db): void {
  sqlite.pragma('foreign_keys = OFF');
  migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
  const violations = sqlite.pragma('foreign_key_check') as unknown[];
  if (violations.length > 0)
    throw new Error(
      `the database has ${violations.length} rows whose foreign key names a missing row after migrating`,
    );
}

/** A read-only handle, for readers that run beside the service (an analytics worker, the CLI). */
export interface ReadOnlyDatabase {
  readonly db: Db;
  close(): void;
}

/**
 * Opens an existing, already migrated Attune database for reading only. WAL lets it read while the
 * service writes. Throws if the file does not exist.
 */
export function openReadOnlyDatabase(path: string): ReadOnlyDatabase {
  refuseUnusablePath(path);
  const sqlite = new Database(resolve(path), { readonly: true, fileMustExist: true });
  sqlite.pragma('busy_timeout = 2000');
  const db = drizzle(sqlite, { schema });
  return {
    db,
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}
