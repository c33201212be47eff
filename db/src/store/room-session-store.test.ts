import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserSession } from '../schema.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const minted = (session: UserSession) => ({
  action: 'token_minted',
  actorId: session.userId,
  target: session.id,
  ip: '10.0.0.1',
  detail: { room: session.roomName },
});

describe.each(STORE_ENGINES)('room sessions on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('alice');
    await t.addUser('bob');
  });
  afterEach(() => t.close());

  const request = (userId: string, roomName: string, maxActive = 2) => ({
    userId,
    roomName,
    participantIdentity: userId,
    maxActive,
  });

  it('claims a free room, records the issued session and its audit entry', async () => {
    const outcome = await t.store.roomSessions.open(request('alice', 'kitchen'), 5_000, minted);
    if (outcome.status !== 'opened') throw new Error(outcome.status);
    expect(outcome.session).toMatchObject({
      userId: 'alice',
      roomName: 'kitchen',
      participantIdentity: 'alice',
      issuedAt: 5_000,
      status: 'issued',
      sessionStart: null,
    });
    expect(await t.sessions()).toEqual([outcome.session]);
    expect(await t.auditEntries()).toEqual([
      {
        action: 'token_minted',
        actorId: 'alice',
        target: outcome.session.id,
        detail: { room: 'kitchen' },
      },
    ]);
  });

  it('lets the owner back into their room and refuses it to anyone else, writing nothing', async () => {
    await t.addRoom('kitchen', 'alice', 1);
    expect(
      await t.store.roomSessions.open(request('alice', 'kitchen'), 5_000, minted),
    ).toMatchObject({ status: 'opened' });
    expect(await t.store.roomSessions.open(request('bob', 'kitchen'), 6_000, minted)).toEqual({
      status: 'room_forbidden',
    });
    expect((await t.sessions()).map((s) => s.userId)).toEqual(['alice']);
    expect((await t.auditEntries()).map((e) => e.actorId)).toEqual(['alice']);
  });

  it('refuses a new session at the limit of sessions in progress; unused tokens do not count', async () => {
    await t.addSession({
      id: 's1',
      userId: 'alice',
      issuedAt: 1,
      status: 'active',
      sessionStart: 2,
    });
    await t.addSession({ id: 's2', userId: 'alice', issuedAt: 1 });
    await t.addSession({
      id: 's3',
      userId: 'alice',
      issuedAt: 1,
      status: 'ended',
      sessionStart: 2,
      sessionEnd: 3,
    });
    expect(await t.store.roomSessions.open(request('alice', 'a', 2), 5_000, minted)).toMatchObject({
      status: 'opened',
    });
    await t.addSession({
      id: 's4',
      userId: 'alice',
      issuedAt: 1,
      status: 'active',
      sessionStart: 2,
    });
    expect(await t.store.roomSessions.open(request('alice', 'b', 2), 6_000, minted)).toEqual({
      status: 'session_limit',
    });
    // Another user's sessions are not alice's.
    expect(await t.store.roomSessions.open(request('bob', 'b', 1), 6_000, minted)).toMatchObject({
      status: 'opened',
    });
    expect((await t.sessions()).filter((s) => s.roomName === 'b').map((s) => s.userId)).toEqual([
      'bob',
    ]);
    expect((await t.auditEntries()).map((e) => e.actorId)).toEqual(['alice', 'bob']);
  });

  it('gives a room two users claim at once, on two replicas, to exactly one of them', async () => {
    const other = await t.replica();
    for (let round = 0; round < 5; round += 1) {
      const room = `contested-${round}`;
      const outcomes = await Promise.all([
        t.store.roomSessions.open(request('alice', room), 5_000, minted),
        other.roomSessions.open(request('bob', room), 5_000, minted),
      ]);
      const winners = outcomes.filter((o) => o.status === 'opened');
      expect(winners).toHaveLength(1);
      expect(outcomes.filter((o) => o.status === 'room_forbidden')).toHaveLength(1);
      const sessions = (await t.sessions()).filter((s) => s.roomName === room);
      expect(sessions).toHaveLength(1);
    }
  });

  it('lets one user open the same room on two replicas at once', async () => {
    const other = await t.replica();
    const outcomes = await Promise.all([
      t.store.roomSessions.open(request('alice', 'den'), 5_000, minted),
      other.roomSessions.open(request('alice', 'den'), 5_000, minted),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['opened', 'opened']);
    expect(await t.sessions()).toHaveLength(2);
  });
});
