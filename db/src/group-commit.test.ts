import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.ts';
import { openTempDatabase } from './testing.ts';
import { openUserSession } from './queries/user-sessions.ts';
import { insertUser } from './queries/users.ts';

let database: ReturnType<typeof openTempDatabase>;
let userId: string;

beforeEach(() => {
  database = openTempDatabase();
  userId = insertUser(database.db, { email: 'g@example.org', fullName: 'G', passwordHash: 'h' }, 0)!.id;
});
afterEach(() => database.remove());

describe('group commit', () => {
  it('commits writes queued in one turn together and answers each with its own result', async () => {
    const commits: number[] = [];
    const group = createGroupCommit(database.db, { onCommit: (jobs) => commits.push(jobs) });
    const sessions = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        group.run((db) => openUserSession(db, { userId, roomName: `room-${i}`, participantIdentity: userId }, i)),
      ),
    );
    expect(commits).toEqual([25]);
    expect(sessions.map((session) => session?.roomName)).toEqual(Array.from({ length: 25 }, (_, i) => `room-${i}`));

    // committed, as another connection sees it
    const other = new Database(database.path, { readonly: true });
    expect(other.prepare('SELECT count(*) FROM user_sessions').pluck().get()).toBe(25);
    other.close();
  });

  it('rolls back and rejects only the piece of work that failed', async () => {
    const group = createGroupCommit(database.db);
    const results = await Promise.allSettled([
      group.run((db) => openUserSession(db, { userId, roomName: 'kept-1', participantIdentity: userId }, 1)),
      group.run((db) => {
        openUserSession(db, { userId, roomName: 'rolled-back', participantIdentity: userId }, 2);
        throw new Error('fails after writing');
      }),
      group.run((db) => openUserSession(db, { userId: 'no-such-user', roomName: 'fk-violation', participantIdentity: 'x' }, 3)),
      group.run((db) => openUserSession(db, { userId, roomName: 'kept-2', participantIdentity: userId }, 4)),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    const rooms = database.db.query.rooms.findMany({ columns: { name: true } }).sync().map((room) => room.name);
    expect(rooms.sort()).toEqual(['kept-1', 'kept-2']);
  });

  it('starts a new transaction for work queued after a commit', async () => {
    const commits: number[] = [];
    const group = createGroupCommit(database.db, { onCommit: (jobs) => commits.push(jobs) });
    await group.run(() => 1);
    await Promise.all([group.run(() => 2), group.run(() => 3)]);
    expect(commits).toEqual([1, 2]);
  });

  it('rejects every queued piece of work when the database is gone', async () => {
    const group = createGroupCommit(database.db);
    const pending = Promise.allSettled([group.run(() => 1), group.run(() => 2)]);
    database.close();
    expect((await pending).map((result) => result.status)).toEqual(['rejected', 'rejected']);
  });
});
