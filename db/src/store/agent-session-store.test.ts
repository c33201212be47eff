import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('agent sessions on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('alice');
    await t.addUser('bob');
  });
  afterEach(() => t.close());

  const byId = async (id: string) => (await t.sessions()).find((s) => s.id === id);

  it('finds a session with the parts of its user the checks need', async () => {
    await t.addSession({ id: 's1', userId: 'alice', issuedAt: 1_000 });
    await t.patchUser('alice', { role: 'guest', status: 'suspended' });
    expect(await t.store.agentSessions.findScope('s1')).toEqual({
      session: await byId('s1'),
      user: { id: 'alice', fullName: 'alice', role: 'guest', status: 'suspended' },
    });
    expect(await t.store.agentSessions.findScope('nope')).toBeUndefined();
  });

  it("reads the user's memory: preferences, the newest turns within budget, earlier conversations", async () => {
    await t.store.preferences.save(
      { userId: 'alice', key: 'tea', value: 'green', maxPerUser: 10 },
      1,
    );
    await t.store.preferences.save(
      { userId: 'bob', key: 'tea', value: 'black', maxPerUser: 10 },
      1,
    );
    await t.addSession({
      id: 'old',
      userId: 'alice',
      issuedAt: 1,
      status: 'ended',
      sessionStart: 2,
      sessionEnd: 3,
    });
    await t.addSession({ id: 'unused', userId: 'alice', issuedAt: 1, status: 'expired' });
    await t.addSession({
      id: 'now',
      userId: 'alice',
      issuedAt: 5,
      status: 'active',
      sessionStart: 6,
    });
    await t.addSession({
      id: 'bobs',
      userId: 'bob',
      issuedAt: 5,
      status: 'active',
      sessionStart: 6,
    });
    for (const [i, text] of ['one', 'two', 'three', 'four'].entries())
      await t.addTurn({ userId: 'alice', sessionId: 'old', role: 'user', text }, 10 + i);
    await t.addTurn({ userId: 'bob', sessionId: 'bobs', role: 'user', text: 'secret' }, 20);
    const memory = await t.store.agentSessions.readUserMemory({
      userId: 'alice',
      sessionId: 'now',
      budget: { maxTurns: 3, maxChars: 9 },
    });
    expect(memory.preferences.map((p) => [p.key, p.value])).toEqual([['tea', 'green']]);
    // The newest three are four, three, two (12 chars): the budget keeps four and three.
    expect(memory.history.map((turn) => turn.text)).toEqual(['three', 'four']);
    expect(memory.earlierSessions).toBe(1);
  });

  it("counts the user's sessions in progress, leaving out the one asked about", async () => {
    await t.addSession({
      id: 'a1',
      userId: 'alice',
      issuedAt: 1,
      status: 'active',
      sessionStart: 2,
    });
    await t.addSession({
      id: 'a2',
      userId: 'alice',
      issuedAt: 1,
      status: 'active',
      sessionStart: 2,
    });
    await t.addSession({ id: 'a3', userId: 'alice', issuedAt: 1 });
    await t.addSession({ id: 'b1', userId: 'bob', issuedAt: 1, status: 'active', sessionStart: 2 });
    expect(await t.store.agentSessions.countActive('alice')).toBe(2);
    expect(await t.store.agentSessions.countActive('alice', 'a1')).toBe(1);
  });

  it('marks an issued or swept session joined, once, and never an ended one or another user’s', async () => {
    await t.addSession({ id: 'issued', userId: 'alice', issuedAt: 1_000 });
    await t.addSession({ id: 'expired', userId: 'alice', issuedAt: 1_000, status: 'expired' });
    await t.addSession({
      id: 'ended',
      userId: 'alice',
      issuedAt: 1_000,
      status: 'ended',
      sessionStart: 1_100,
      sessionEnd: 1_200,
    });
    const join = (sessionId: string, userId = 'alice') =>
      t.store.agentSessions.markJoined({ userId, sessionId, joinedAtMs: 1_500 });
    expect(await join('issued', 'bob')).toBe(false);
    expect(await join('issued')).toBe(true);
    expect(await join('issued')).toBe(false);
    expect(await join('expired')).toBe(true);
    expect(await join('ended')).toBe(false);
    expect(await byId('issued')).toMatchObject({
      status: 'active',
      sessionStart: 1_500,
      endReason: null,
    });
    expect(await byId('expired')).toMatchObject({ status: 'active', sessionStart: 1_500 });
    expect(await byId('ended')).toMatchObject({ status: 'ended', sessionStart: 1_100 });
  });

  it('records the end the agent saw once, keeping a start LiveKit reported, duration rounded', async () => {
    await t.addSession({
      id: 'joined',
      userId: 'alice',
      issuedAt: 1_000,
      status: 'active',
      sessionStart: 2_000,
    });
    await t.addSession({ id: 'unseen', userId: 'alice', issuedAt: 1_000 });
    const end = (sessionId: string, endedAtMs: number) =>
      t.store.agentSessions.recordEnd({
        userId: 'alice',
        sessionId,
        joinedAtMs: 3_000,
        endedAtMs,
        reason: 'left',
      });
    expect(await end('joined', 4_500)).toBe(true);
    expect(await end('joined', 9_000)).toBe(false);
    expect(await end('unseen', 3_400)).toBe(true);
    expect(await byId('joined')).toMatchObject({
      status: 'ended',
      sessionStart: 2_000,
      sessionEnd: 4_500,
      durationSeconds: 3,
      endReason: 'left',
      endSource: 'agent',
    });
    expect(await byId('unseen')).toMatchObject({
      sessionStart: 3_000,
      sessionEnd: 3_400,
      durationSeconds: 0,
    });
  });

  it('lets exactly one of two replicas record one session’s join, and its end', async () => {
    const other = await t.replica();
    await t.addSession({ id: 's', userId: 'alice', issuedAt: 1_000 });
    const joined = { userId: 'alice', sessionId: 's', joinedAtMs: 1_500 };
    expect(
      (
        await Promise.all([
          t.store.agentSessions.markJoined(joined),
          other.agentSessions.markJoined(joined),
        ])
      ).sort(),
    ).toEqual([false, true]);
    const end = { ...joined, endedAtMs: 2_000, reason: 'left' };
    expect(
      (
        await Promise.all([
          t.store.agentSessions.recordEnd(end),
          other.agentSessions.recordEnd({ ...end, endedAtMs: 5_000 }),
        ])
      ).sort(),
    ).toEqual([false, true]);
    expect((await byId('s'))?.status).toBe('ended');
  });
});
