import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.ts';
import { openUserSession } from './queries/user-sessions.ts';
import { insertUser } from './queries/users.ts';
import { openTempDatabase } from './testing.ts';

let database: ReturnType<typeof openTempDatabase>;
let userId: string;

beforeEach(() => {
  database = openTempDatabase();
  userId = insertUser(
    database.db,
    { email: 'g@example.org', fullName: 'G', passwordHash: 'h' },
    0,
  )!.id;
});
afterEach(() => database.remove());

describe('group commit', () => {
  it('commits writes queued in one turn together and answers each with its own result', async () => {
    const commits: number[] = [];
    const group = createGroupCommit(database.db, database.connection, {
      onCommit: (jobs) => commits.push(jobs),
    });
    const sessions = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        group.run((db) =>
          openUserSession(db, { userId, roomName: `room-${i}`, participantIdentity: userId }, i),
        ),
      ),
    );
    expect(commits).toEqual([25]);
    expect(sessions.map((session) => session?.roomName)).toEqual(
      Array.from({ length: 25 }, (_, i) => `room-${i}`),
    );

    // committed, as another connection sees it
    const other = new Database(database.path, { readonly: true });
    expect(other.prepare('SELECT count(*) FROM user_sessions').pluck().get()).toBe(25);
    other.close();
  });

  it('rolls back and rejects only the piece of work that failed', async () => {
    const group = createGroupCommit(database.db, database.connection);
    const results = await Promise.allSettled([
      group.run((db) =>
        openUserSession(db, { userId, roomName: 'kept-1', participantIdentity: userId }, 1),
      ),
      group.run((db) => {
        openUserSession(db, { userId, roomName: 'rolled-back', participantIdentity: userId }, 2);
        throw new Error('fails after writing');
      }),
      group.run((db) =>
        openUserSession(
          db,
          { userId: 'no-such-user', roomName: 'fk-violation', participantIdentity: 'x' },
          3,
        ),
      ),
      group.run((db) =>
        openUserSession(db, { userId, roomName: 'kept-2', participantIdentity: userId }, 4),
      ),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'rejected',
      'rejected',
      'fulfilled',
    ]);
    const rooms = database.db.query.rooms
      .findMany({ columns: { name: true } })
      .sync()
      .map((room) => room.name);
    expect(rooms.sort()).toEqual(['kept-1', 'kept-2']);
  });

  it('starts a new transaction for work queued after a commit', async () => {
    const commits: number[] = [];
    const group = createGroupCommit(database.db, database.connection, {
      onCommit: (jobs) => commits.push(jobs),
    });
    await group.run(() => 1);
    await Promise.all([group.run(() => 2), group.run(() => 3)]);
    expect(commits).toEqual([1, 2]);
  });

  it('commits nothing of a batch when a failure ends the whole transaction', async () => {
    // Cap the file at its current size so a large row fails with SQLITE_FULL, which makes
    // SQLite roll back the entire transaction, not only the failing savepoint.
    const pages = database.connection.pragma('page_count', { simple: true }) as number;
    database.connection.pragma(`max_page_count = ${pages}`);
    const group = createGroupCommit(database.db, database.connection);
    const results = await Promise.allSettled([
      group.run((db) =>
        openUserSession(db, { userId, roomName: 'before', participantIdentity: userId }, 1),
      ),
      group.run((db) =>
        openUserSession(
          db,
          { userId, roomName: 'x'.repeat(500_000), participantIdentity: userId },
          2,
        ),
      ),
      group.run((db) =>
        openUserSession(db, { userId, roomName: 'after', participantIdentity: userId }, 3),
      ),
    ]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/full/i);
    database.connection.pragma('max_page_count = 1073741823');
    expect(database.db.query.rooms.findMany().sync()).toEqual([]);
    expect(database.connection.inTransaction).toBe(false);
  });

  it('waits for another process to release the write lock without blocking the event loop', async () => {
    const other = new Database(database.path);
    other.prepare('BEGIN IMMEDIATE').run();
    const group = createGroupCommit(database.db, database.connection);
    let committed = false;
    const pending = group
      .run((db) =>
        openUserSession(db, { userId, roomName: 'waited', participantIdentity: userId }, 1),
      )
      .then((session) => {
        committed = true;
        return session;
      });
    let ticks = 0;
    const ticker = setInterval(() => (ticks += 1), 5);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(committed).toBe(false);
    other.prepare('COMMIT').run();
    other.close();
    expect((await pending)?.roomName).toBe('waited');
    clearInterval(ticker);
    expect(ticks).toBeGreaterThan(10); // the loop kept running while the batch waited
  });

  it('gives up with SQLITE_BUSY when the lock is held past the retry window', async () => {
    const other = new Database(database.path);
    other.prepare('BEGIN IMMEDIATE').run();
    const group = createGroupCommit(database.db, database.connection, { busyRetryForMs: 100 });
    await expect(group.run(() => 1)).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    other.prepare('ROLLBACK').run();
    other.close();
  });

  it('rejects every queued piece of work when the database is gone', async () => {
    const group = createGroupCommit(database.db, database.connection);
    const pending = Promise.allSettled([group.run(() => 1), group.run(() => 2)]);
    database.close();
    expect((await pending).map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
