import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACTION_TOKEN_RETENTION_MS,
  claimLoginAttempt,
  consumeActionToken,
  findUsableActionToken,
  findUserSession,
  insertAuditEntry,
  insertUser,
  insertUserSession,
  insertWebhookEvent,
  issueActionToken,
  loginThrottle,
  loginThrottleKeys,
  sqliteStore,
  updateSessionTimeline,
} from '@attune/db';
import { insertTestUsers, openTempDatabase, snapshotTables } from '@attune/db/testing';
import { JOIN_GRACE_MS, WEBHOOK_EVENT_RETENTION_MS, sweepSessions } from './session-sweep.ts';

const TTL = 600_000;
const MAX = 4 * 3_600_000;
const GUEST_TTL = 3_600_000;
const THROTTLE_WINDOW = 15 * 60_000;
const options = {
  tokenTtlMs: TTL,
  maxSessionMs: MAX,
  guestTtlMs: GUEST_TTL,
  loginThrottleWindowMs: THROTTLE_WINDOW,
};

let database: ReturnType<typeof openTempDatabase>;
let userId: string;
beforeEach(() => {
  database = openTempDatabase();
  [userId] = insertTestUsers(database.db, 'sweeper') as [string];
});
afterEach(() => database.remove());

const issue = (atMs: number) =>
  insertUserSession(
    database.db,
    { userId, roomName: `room-${atMs}`, participantIdentity: userId },
    atMs,
  ).id;
const row = (id: string) => findUserSession(database.db, userId, id)!;

describe('sweepSessions', () => {
  it('marks tokens nobody joined with expired once their TTL (and a grace minute) is over', async () => {
    const now = 10_000_000;
    const old = issue(now - TTL - JOIN_GRACE_MS - 1);
    const fresh = issue(now - TTL);
    expect(await sweepSessions(sqliteStore(database), now, options)).toMatchObject({ expired: 1 });
    expect(row(old)).toMatchObject({
      status: 'expired',
      endReason: 'token_unused',
      sessionStart: null,
      durationSeconds: null,
    });
    expect(row(fresh).status).toBe('issued');
  });

  it('closes sessions no leave ever came for, at their latest join plus the maximum', async () => {
    const now = 100_000_000;
    const stale = issue(0);
    const live = issue(0);
    const joinedAt = now - MAX - 5_000;
    updateSessionTimeline(database.db, stale, {
      sessionStart: joinedAt - 60_000,
      lastJoinAt: joinedAt,
      sessionEnd: null,
      durationSeconds: null,
      status: 'active',
      endReason: null,
      endSource: null,
    });
    updateSessionTimeline(database.db, live, {
      ...row(stale),
      sessionStart: now - 60_000,
      lastJoinAt: now - 60_000,
      status: 'active',
    });

    expect(await sweepSessions(sqliteStore(database), now, options)).toMatchObject({ timedOut: 1 });
    expect(row(stale)).toMatchObject({
      status: 'ended',
      endReason: 'timeout',
      endSource: 'sweep',
      sessionEnd: joinedAt + MAX,
      durationSeconds: (MAX + 60_000) / 1000,
    });
    expect(row(live)).toMatchObject({ status: 'active', sessionEnd: null });
  });

  it('forgets webhook ids after the retention period', async () => {
    const now = WEBHOOK_EVENT_RETENTION_MS * 2;
    insertWebhookEvent(
      database.db,
      { id: 'EV_old', event: 'participant_joined' },
      now - WEBHOOK_EVENT_RETENTION_MS - 1,
    );
    insertWebhookEvent(database.db, { id: 'EV_new', event: 'participant_joined' }, now - 1);
    expect(await sweepSessions(sqliteStore(database), now, options)).toMatchObject({
      prunedEvents: 1,
    });
    expect(
      insertWebhookEvent(database.db, { id: 'EV_new', event: 'participant_joined' }, now),
    ).toBe(false);
  });
});

describe('mailed links and the login throttle', () => {
  it('deletes spent and expired links past their retention and throttle rows past their window', async () => {
    const now = ACTION_TOKEN_RETENTION_MS * 2;
    const link = (purpose: 'password_reset' | 'invitation', atMs: number, ttlMs: number) =>
      issueActionToken(
        database.db,
        {
          purpose,
          userId: purpose === 'invitation' ? null : userId,
          email: 'x@example.org',
          ttlMs,
        },
        atMs,
      ).token;
    const spent = link('password_reset', 0, 60_000);
    consumeActionToken(database.db, { token: spent, purposes: ['password_reset'] }, 1_000);
    link('invitation', 0, 60_000); // expired
    const stillValid = link('invitation', 1, 7 * 86_400_000 * 10);

    const policy = {
      maxFailures: 5,
      lockoutMs: THROTTLE_WINDOW,
      accountFailures: 20,
      accountMaxDelayMs: 60_000,
    };
    const source = (email: string) => ({ email, ipKey: 'ip:10.0.0.1' });
    claimLoginAttempt(database.db, source('stale@example.org'), policy, now - THROTTLE_WINDOW);
    claimLoginAttempt(database.db, source('recent@example.org'), policy, now - 1);
    // A claim counts on the pair and the account; the known-place key is written only on success.
    const recentKeys = loginThrottleKeys(source('recent@example.org'));

    expect(await sweepSessions(sqliteStore(database), now, options)).toMatchObject({
      prunedActionTokens: 2,
      prunedThrottleRows: 2,
    });
    expect(findUsableActionToken(database.db, stillValid, ['invitation'], now)).toBeDefined();
    expect(
      database.db
        .select()
        .from(loginThrottle)
        .all()
        .map((r) => r.key),
    ).toEqual([recentKeys.pair, recentKeys.account]);
  });
});

describe('guest clean-up', () => {
  it('deletes guests past their lifetime with everything they own, and forgets their id in the audit log', async () => {
    const now = 10 * GUEST_TTL;
    const old = insertUser(
      database.db,
      {
        email: 'guest-old@guests.attune.invalid',
        fullName: 'Guest',
        passwordHash: 'x',
        role: 'guest',
      },
      now - GUEST_TTL - 1,
    )!;
    const fresh = insertUser(
      database.db,
      {
        email: 'guest-new@guests.attune.invalid',
        fullName: 'Guest',
        passwordHash: 'x',
        role: 'guest',
      },
      now - 1000,
    )!;
    const oldRegular = insertUser(
      database.db,
      { email: 'old@example.org', fullName: 'Old', passwordHash: 'x' },
      0,
    )!;
    insertUserSession(
      database.db,
      { userId: old.id, roomName: 'guest-room', participantIdentity: old.id },
      now - 60_000,
    );
    insertAuditEntry(
      database.db,
      { action: 'guest_created', actorId: old.id, target: old.id, ip: null },
      now - GUEST_TTL,
    );

    expect(await sweepSessions(sqliteStore(database), now, options)).toMatchObject({
      deletedGuests: 1,
      deletedGuestRooms: [{ roomName: 'guest-room', identity: old.id }],
    });
    const everything = JSON.stringify(snapshotTables(database.db));
    expect(everything).not.toContain(old.id);
    expect(everything).toContain(fresh.id);
    expect(everything).toContain(oldRegular.id);
  });
});
