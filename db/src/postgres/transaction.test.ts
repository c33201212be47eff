import { count, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresDatabase, openPostgresDatabase } from '../open-postgres.ts';
import { type TestPostgresDatabase, createTestPostgresDatabase } from '../postgres-server.ts';
import { webhookEvents } from '../schema.pg.ts';
import { runUnit, sqlState } from './transaction.ts';

describe('runUnit', () => {
  let server: TestPostgresDatabase;
  let database: PostgresDatabase;

  beforeAll(async () => {
    server = await createTestPostgresDatabase();
    database = await openPostgresDatabase(server.url, { poolSize: 4 });
  });
  afterAll(async () => {
    await database?.close();
    await server?.drop();
  });

  /**
   * Two serializable units that each count the rows and insert one: whichever commits second
   * read a count the first one changed, so PostgreSQL aborts it with a serialization failure.
   * Both first attempts wait for each other to have read before writing, forcing the clash.
   */
  it('runs a unit aborted by a serialization failure again, and both units land', async () => {
    let arrived = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    const attempts = { a: 0, b: 0 };
    const unit = (name: 'a' | 'b') =>
      runUnit(
        database.db,
        async (tx) => {
          attempts[name] += 1;
          const [row] = await tx.select({ n: count() }).from(webhookEvents);
          if (attempts[name] === 1) {
            if (++arrived === 2) release();
            await bothRead;
          }
          await tx
            .insert(webhookEvents)
            .values({ id: `${name}-${attempts[name]}`, event: `seen ${row!.n}`, receivedAt: 1 });
        },
        { isolationLevel: 'serializable' },
      );
    await Promise.all([unit('a'), unit('b')]);
    expect(attempts.a + attempts.b).toBe(3);
    const rows = await database.db.select().from(webhookEvents).orderBy(webhookEvents.event);
    expect(rows.map((r) => r.event)).toEqual(['seen 0', 'seen 1']);
  });

  it('does not run a unit again for an error that is not a conflict', async () => {
    let attempts = 0;
    const error = await runUnit(database.db, async (tx) => {
      attempts += 1;
      await tx.execute(sql`SELECT 1 / 0`);
    }).catch((e: unknown) => e);
    expect(sqlState(error)).toBe('22012');
    expect(attempts).toBe(1);
  });
});
