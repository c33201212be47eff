import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { type PostgresDatabase, openPostgresDatabase } from './open-postgres.ts';
import { type TestPostgresDatabase, createTestPostgresDatabase } from './postgres-server.ts';
import { userSessions, users } from './schema.pg.ts';

describe('openPostgresDatabase', () => {
  let server: TestPostgresDatabase | undefined;
  const opened: PostgresDatabase[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((database) => database.close()));
    await server?.drop();
    server = undefined;
  });

  async function open(url: string): Promise<PostgresDatabase> {
    const database = await openPostgresDatabase(url, { poolSize: 2 });
    opened.push(database);
    return database;
  }

  it('creates every table on an empty database, and opening again changes nothing', async () => {
    server = await createTestPostgresDatabase();
    const first = await open(server.url);
    const tables = await first.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'action_tokens',
      'audit_log',
      'conversation_turns',
      'login_throttle',
      'refresh_tokens',
      'rooms',
      'session_durations',
      'user_preferences',
      'user_sessions',
      'users',
      'webhook_events',
    ]);
    const applied = async () =>
      (
        await first.pool.query<{ n: number }>(
          'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
        )
      ).rows[0];
    const before = await applied();
    await open(server.url);
    expect(await applied()).toEqual(before);
    expect(await first.isReachable()).toBe(true);
  });

  it('lets four replicas boot at once on an empty database, all ready, migrated once', async () => {
    server = await createTestPostgresDatabase();
    const url = server.url;
    const replicas = await Promise.allSettled([open(url), open(url), open(url), open(url)]);
    expect(replicas.map((r) => r.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    const first = opened[0]!;
    const migrations = await first.pool.query<{ n: number }>(
      'SELECT count(*) AS n FROM drizzle.__drizzle_migrations',
    );
    const files = await first.pool.query<{ n: number }>(
      `SELECT count(DISTINCT hash) AS n FROM drizzle.__drizzle_migrations`,
    );
    expect(migrations.rows[0]!.n).toBe(files.rows[0]!.n);
  });

  it('reads epoch milliseconds past 2^31 and aggregates back as numbers, not strings', async () => {
    server = await createTestPostgresDatabase();
    const { db } = await open(server.url);
    const createdAt = Date.UTC(2026, 11, 7, 12, 0, 0, 123);
    await db.insert(users).values({ id: 'u1', email: 'a@example.com', fullName: 'A', createdAt });
    await db.insert(userSessions).values([
      {
        id: 's1',
        userId: 'u1',
        roomName: 'r',
        participantIdentity: 'u1',
        issuedAt: createdAt,
        durationSeconds: 30,
      },
      {
        id: 's2',
        userId: 'u1',
        roomName: 'r',
        participantIdentity: 'u1',
        issuedAt: createdAt,
        durationSeconds: 45,
      },
    ]);
    const [user] = await db.select().from(users);
    expect(user!.createdAt).toBe(createdAt);
    const [aggregate] = await db
      .select({
        n: sql<number>`count(*)`,
        total: sql<number>`sum(${userSessions.durationSeconds})`,
        mean: sql<number>`avg(${userSessions.durationSeconds})`,
        latest: sql<number>`max(${userSessions.issuedAt})`,
      })
      .from(userSessions);
    expect(aggregate).toEqual({ n: 2, total: 75, mean: 37.5, latest: createdAt });
  });

  it('refuses a database it cannot reach, saying so, and leaves no pool open', async () => {
    await expect(
      openPostgresDatabase('postgres://postgres@127.0.0.1:1/none', { connectionTimeoutMs: 500 }),
    ).rejects.toThrow(/ECONNREFUSED|connect/);
  });
});
