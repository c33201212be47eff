/**
 * Stores on both engines for tests: the same test runs on a fresh SQLite file and on a fresh
 * PostgreSQL database, so a unit that behaves differently on one of them fails.
 */
import { eq, sql } from 'drizzle-orm';
import { type PostgresDatabase, openPostgresDatabase } from '../open-postgres.ts';
import { createTestPostgresDatabase } from '../postgres-server.ts';
import type { NewConversationTurn } from '../queries/conversation-turns.ts';
import * as pgSchema from '../schema.pg.ts';
import * as sqliteSchema from '../schema.ts';
import type { User, UserSession } from '../schema.ts';
import { openTempDatabase } from '../testing.ts';
import { type AttuneStore, type StoreEngine, postgresStore, sqliteStore } from './attune-store.ts';
import { runSync } from './run-sync.ts';

/** A `user_sessions` row to insert in tests. */
export type NewUserSession = typeof sqliteSchema.userSessions.$inferInsert;

export const STORE_ENGINES: readonly StoreEngine[] = ['sqlite', 'postgres'];

export interface TestStore {
  readonly store: AttuneStore;
  /** Another replica's view of the same data: its own pool on PostgreSQL, the same file on SQLite. */
  replica(): Promise<AttuneStore>;
  /** Adds an active user with this id (and `<id>@example.com`), for rows that need an owner. */
  addUser(id: string): Promise<void>;
  /** Sets columns of a user added before (role, status, password hash, creation time…). */
  patchUser(id: string, fields: UserFields): Promise<void>;
  /** Adds a session row (room `room-<id>`, the user as participant, `issued` unless told). */
  addSession(session: NewTestSession): Promise<void>;
  /** Adds a room owned by `ownerId`. */
  addRoom(name: string, ownerId: string, createdAt: number): Promise<void>;
  /** Adds a conversation turn said at `atMs` (no client turn id). */
  addTurn(turn: NewConversationTurn, atMs: number): Promise<void>;
  /** Adds sessions as they are given (their users must exist). */
  addSessions(sessions: NewUserSession[]): Promise<void>;
  /** Every session, by id. */
  sessions(): Promise<UserSession[]>;
  /** Every audit entry so far, oldest first (detail parsed), to check what a unit recorded. */
  auditEntries(): Promise<
    { action: string; actorId: string | null; target: string | null; detail: unknown }[]
  >;
  close(): Promise<void>;
}

export type UserFields = Partial<
  Pick<User, 'role' | 'status' | 'passwordHash' | 'createdAt' | 'fullName' | 'email'>
>;

export type NewTestSession = Pick<UserSession, 'id' | 'userId' | 'issuedAt'> &
  Partial<Pick<UserSession, 'status' | 'sessionStart' | 'sessionEnd' | 'durationSeconds'>>;

const sessionRow = (session: NewTestSession) => ({
  roomName: `room-${session.id}`,
  participantIdentity: session.userId,
  ...session,
});

export async function openTestStore(engine: StoreEngine): Promise<TestStore> {
  if (engine === 'sqlite') {
    const database = openTempDatabase();
    return {
      store: sqliteStore(database),
      replica: () => runSync(() => sqliteStore(database)),
      addUser: (id) =>
        runSync(() => {
          database.db
            .insert(sqliteSchema.users)
            .values({ id, email: `${id}@example.com`, fullName: id, createdAt: 1 })
            .run();
        }),
      patchUser: (id, fields) =>
        runSync(() => {
          database.db
            .update(sqliteSchema.users)
            .set(fields)
            .where(eq(sqliteSchema.users.id, id))
            .run();
        }),
      addSession: (session) =>
        runSync(() => {
          database.db.insert(sqliteSchema.userSessions).values(sessionRow(session)).run();
        }),
      addRoom: (name, ownerId, createdAt) =>
        runSync(() => {
          database.db.insert(sqliteSchema.rooms).values({ name, ownerId, createdAt }).run();
        }),
      addTurn: (turn, atMs) =>
        runSync(() => {
          database.db
            .insert(sqliteSchema.conversationTurns)
            .values({ ...turn, createdAt: atMs })
            .run();
        }),
      addSessions: (sessions) =>
        runSync(() => {
          database.db.insert(sqliteSchema.userSessions).values(sessions).run();
        }),
      sessions: () =>
        runSync(() =>
          database.db
            .select()
            .from(sqliteSchema.userSessions)
            .orderBy(sqliteSchema.userSessions.id)
            .all(),
        ),
      auditEntries: () =>
        runSync(() =>
          database.db
            .select()
            .from(sqliteSchema.auditLog)
            .orderBy(sqliteSchema.auditLog.id)
            .all()
            .map(auditView),
        ),
      close: () => runSync(() => database.remove()),
    };
  }
  const server = await createTestPostgresDatabase();
  const databases: PostgresDatabase[] = [await openPostgresDatabase(server.url, { poolSize: 4 })];
  const first = databases[0]!;
  return {
    store: postgresStore(first),
    async replica() {
      const database = await openPostgresDatabase(server.url, { poolSize: 4 });
      databases.push(database);
      return postgresStore(database);
    },
    async addUser(id) {
      await first.db
        .insert(pgSchema.users)
        .values({ id, email: `${id}@example.com`, fullName: id, createdAt: 1 });
    },
    async patchUser(id, fields) {
      await first.db.update(pgSchema.users).set(fields).where(eq(pgSchema.users.id, id));
    },
    async addSession(session) {
      await first.db.insert(pgSchema.userSessions).values(sessionRow(session));
    },
    async addRoom(name, ownerId, createdAt) {
      await first.db.insert(pgSchema.rooms).values({ name, ownerId, createdAt });
    },
    async addTurn(turn, atMs) {
      await first.db.insert(pgSchema.conversationTurns).values({ ...turn, createdAt: atMs });
    },
    async addSessions(sessions) {
      await first.db.insert(pgSchema.userSessions).values(sessions);
    },
    sessions: () =>
      first.db
        .select()
        .from(pgSchema.userSessions)
        .orderBy(sql`${pgSchema.userSessions.id} COLLATE "C"`),
    async auditEntries() {
      const rows = await first.db.select().from(pgSchema.auditLog).orderBy(pgSchema.auditLog.id);
      return rows.map(auditView);
    },
    async close() {
      await Promise.all(databases.map((database) => database.close()));
      await server.drop();
    },
  };
}

function auditView(row: sqliteSchema.AuditEntry) {
  return {
    action: row.action,
    actorId: row.actorId,
    target: row.target,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as unknown),
  };
}
