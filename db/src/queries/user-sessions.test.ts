import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import { expireUnusedSessions } from './session-timeline.ts';
import {
  countEarlierSessions,
  findUserSession,
  insertUserSession,
  markSessionJoined,
  recordSessionEnd,
} from './user-sessions.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;

beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

const issue = (userId: string, atMs: number) =>
  insertUserSession(
    database.db,
    { userId, roomName: `room-${atMs}`, participantIdentity: userId },
    atMs,
  ).id;

describe('recordSessionEnd', () => {
  it('ends an open session, taking the join time the agent saw when LiveKit reported none', () => {
    const id = issue(alice, 1_000);
    expect(
      recordSessionEnd(database.db, {
        userId: alice,
        sessionId: id,
        joinedAtMs: 2_000,
        endedAtMs: 64_600,
        reason: 'participant_disconnected',
      }),
    ).toBe(true);
    expect(findUserSession(database.db, alice, id)).toMatchObject({
      status: 'ended',
      sessionStart: 2_000,
      sessionEnd: 64_600,
      durationSeconds: 63,
      endReason: 'participant_disconnected',
    });
  });

  it('keeps an end that was already recorded, and never touches another user’s session', () => {
    const id = issue(alice, 1_000);
    recordSessionEnd(database.db, {
      userId: alice,
      sessionId: id,
      joinedAtMs: 2_000,
      endedAtMs: 10_000,
      reason: 'first',
    });
    expect(
      recordSessionEnd(database.db, {
        userId: alice,
        sessionId: id,
        joinedAtMs: 2_000,
        endedAtMs: 90_000,
        reason: 'second',
      }),
    ).toBe(false);
    expect(
      recordSessionEnd(database.db, {
        userId: bob,
        sessionId: id,
        joinedAtMs: 0,
        endedAtMs: 1,
        reason: 'bob',
      }),
    ).toBe(false);
    expect(findUserSession(database.db, alice, id)).toMatchObject({
      sessionEnd: 10_000,
      durationSeconds: 8,
      endReason: 'first',
    });
  });

  it('measures from the join LiveKit reported when there is one', () => {
    const id = issue(alice, 1_000);
    database.connection
      .prepare('UPDATE user_sessions SET session_start = 1500, status = ? WHERE id = ?')
      .run('active', id);
    recordSessionEnd(database.db, {
      userId: alice,
      sessionId: id,
      joinedAtMs: 5_000,
      endedAtMs: 11_500,
      reason: 'job_shutdown',
    });
    expect(findUserSession(database.db, alice, id)).toMatchObject({
      sessionStart: 1_500,
      durationSeconds: 10,
    });
  });
});

describe('countEarlierSessions', () => {
  it('counts the user’s other sessions that were joined', () => {
    const joined = issue(alice, 1);
    issue(alice, 2);
    const current = issue(alice, 3);
    recordSessionEnd(database.db, {
      userId: alice,
      sessionId: joined,
      joinedAtMs: 10,
      endedAtMs: 20,
      reason: 'x',
    });
    recordSessionEnd(database.db, {
      userId: bob,
      sessionId: issue(bob, 4),
      joinedAtMs: 10,
      endedAtMs: 20,
      reason: 'x',
    });
    expect(countEarlierSessions(database.db, alice, current)).toBe(1);
    expect(countEarlierSessions(database.db, alice, joined)).toBe(0);
  });
});

describe('markSessionJoined', () => {
  it('makes an issued or swept session active from the join the agent saw, so the sweep leaves it alone', () => {
    const issued = issue(alice, 1_000);
    const swept = issue(alice, 2_000);
    expireUnusedSessions(database.db, 10_000);
    expect(
      markSessionJoined(database.db, { userId: alice, sessionId: issued, joinedAtMs: 5_000 }),
    ).toBe(true);
    expect(
      markSessionJoined(database.db, { userId: alice, sessionId: swept, joinedAtMs: 6_000 }),
    ).toBe(true);
    expect(findUserSession(database.db, alice, issued)).toMatchObject({
      status: 'active',
      sessionStart: 5_000,
      endReason: null,
    });
    expect(findUserSession(database.db, alice, swept)).toMatchObject({
      status: 'active',
      sessionStart: 6_000,
      endReason: null,
      endSource: null,
    });
    expect(expireUnusedSessions(database.db, 1e12)).toBe(0);
  });

  it('leaves ended sessions and other users’ sessions alone', () => {
    const id = issue(alice, 1_000);
    expect(markSessionJoined(database.db, { userId: bob, sessionId: id, joinedAtMs: 5_000 })).toBe(
      false,
    );
    recordSessionEnd(database.db, {
      userId: alice,
      sessionId: id,
      joinedAtMs: 2_000,
      endedAtMs: 9_000,
      reason: 'x',
    });
    expect(
      markSessionJoined(database.db, { userId: alice, sessionId: id, joinedAtMs: 5_000 }),
    ).toBe(false);
    expect(findUserSession(database.db, alice, id)).toMatchObject({
      status: 'ended',
      sessionStart: 2_000,
    });
  });
});
