import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GUEST_EMAIL_DOMAIN } from '../queries/users.ts';
import type { SweepCutoffs } from './session-sweep-store.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const NOW = 100_000_000;
const cutoffs: SweepCutoffs = {
  unusedIssuedBefore: NOW - 60_000,
  maxSessionMs: 3_600_000,
  webhookEventsBefore: NOW - 86_400_000,
  guestsCreatedBefore: NOW - 3_600_000,
  liveTokensIssuedAfter: NOW - 600_000,
  loginThrottleWindowMs: 900_000,
};
const guestDeleted = {
  action: 'user_deleted',
  actorId: null,
  target: null,
  ip: null,
  detail: { role: 'guest', reason: 'guest_expired' },
};
const policy = { maxFailures: 3, lockoutMs: 60_000, accountFailures: 5, accountMaxDelayMs: 8_000 };

describe.each(STORE_ENGINES)('the session sweep on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('alice');
  });
  afterEach(() => t.close());

  const addGuest = async (id: string, createdAt: number) => {
    await t.addUser(id);
    await t.patchUser(id, { role: 'guest', email: `${id}@${GUEST_EMAIL_DOMAIN}`, createdAt });
  };
  const statusOf = async (id: string) => (await t.sessions()).find((s) => s.id === id);

  it('expires unused tokens and closes sessions never reported left', async () => {
    await t.addSession({ id: 'unused', userId: 'alice', issuedAt: NOW - 60_001 });
    await t.addSession({ id: 'fresh', userId: 'alice', issuedAt: NOW - 60_000 });
    const start = NOW - 3_600_001;
    await t.addSession({
      id: 'stale',
      userId: 'alice',
      issuedAt: start,
      status: 'active',
      sessionStart: start,
    });
    await t.addSession({
      id: 'live',
      userId: 'alice',
      issuedAt: NOW,
      status: 'active',
      sessionStart: NOW,
    });
    expect(await t.store.sessionSweep.sweep(NOW, cutoffs, guestDeleted)).toEqual({
      skipped: false,
      expired: 1,
      timedOut: 1,
      prunedEvents: 0,
      deletedGuests: 0,
      prunedActionTokens: 0,
      prunedThrottleRows: 0,
      deletedGuestRooms: [],
    });
    expect(await statusOf('unused')).toMatchObject({
      status: 'expired',
      endReason: 'token_unused',
      endSource: 'sweep',
    });
    expect((await statusOf('fresh'))?.status).toBe('issued');
    expect(await statusOf('stale')).toMatchObject({
      status: 'ended',
      endReason: 'timeout',
      sessionEnd: start + 3_600_000,
      durationSeconds: 3_600,
    });
    expect((await statusOf('live'))?.status).toBe('active');
  });

  it('deletes expired guests, forgets them in the audit log and says where they may still be', async () => {
    await addGuest('old-guest', NOW - 3_600_001);
    await addGuest('new-guest', NOW - 3_600_000);
    await t.addSession({ id: 'g-live', userId: 'old-guest', issuedAt: NOW - 1_000 });
    await t.addSession({
      id: 'g-gone',
      userId: 'old-guest',
      issuedAt: NOW - 700_000,
      status: 'expired',
    });
    await t.store.audit.append(
      { action: 'guest_created', actorId: 'old-guest', target: 'old-guest', ip: '10.0.0.9' },
      1,
    );
    const outcome = await t.store.sessionSweep.sweep(NOW, cutoffs, guestDeleted);
    expect(outcome).toMatchObject({
      deletedGuests: 1,
      deletedGuestRooms: [{ roomName: 'room-g-live', participantIdentity: 'old-guest' }],
    });
    expect(await t.store.users.findById('old-guest')).toBeUndefined();
    expect(await t.store.users.findById('new-guest')).toBeDefined();
    expect((await t.sessions()).map((s) => s.id)).toEqual([]);
    expect(await t.auditEntries()).toEqual([
      { action: 'guest_created', actorId: null, target: null, detail: null },
      { action: 'user_deleted', actorId: null, target: null, detail: guestDeleted.detail },
    ]);
  });

  it('prunes old webhook ids and login-throttle rows past their window', async () => {
    const none = { kind: 'none' } as const;
    await t.store.sessionTimeline.ingestWebhook(
      { eventId: 'old', eventName: 'x', change: none },
      cutoffs.webhookEventsBefore - 1,
    );
    await t.store.sessionTimeline.ingestWebhook(
      { eventId: 'new', eventName: 'x', change: none },
      cutoffs.webhookEventsBefore,
    );
    const source = { email: 'alice@example.com', ipKey: 'ip:10.0.0.1' };
    await t.store.loginThrottle.claim(source, policy, NOW - 900_000);
    const outcome = await t.store.sessionSweep.sweep(NOW, cutoffs, guestDeleted);
    expect(outcome).toMatchObject({ prunedEvents: 1, prunedThrottleRows: 2 });
    // The kept id still makes its redelivery a duplicate; the pruned one is new again.
    expect(
      await t.store.sessionTimeline.ingestWebhook(
        { eventId: 'new', eventName: 'x', change: none },
        NOW,
      ),
    ).toBe('duplicate');
    expect(
      await t.store.sessionTimeline.ingestWebhook(
        { eventId: 'old', eventName: 'x', change: none },
        NOW,
      ),
    ).toBe('ignored');
  });

  it('lets exactly one of two replicas sweeping at once do the work', async () => {
    const other = await t.replica();
    for (let i = 0; i < 150; i += 1) await addGuest(`guest-${i}`, 1);
    const outcomes = await Promise.all([
      t.store.sessionSweep.sweep(NOW, cutoffs, guestDeleted),
      other.sessionSweep.sweep(NOW, cutoffs, guestDeleted),
    ]);
    expect(outcomes.map((o) => o.deletedGuests).sort((a, b) => a - b)).toEqual([0, 150]);
    // PostgreSQL: the second replica found the first sweeping and skipped its pass. SQLite has
    // one writer: the second pass ran after the first and found nothing left.
    expect(outcomes.filter((o) => o.skipped)).toHaveLength(engine === 'postgres' ? 1 : 0);
    expect((await t.auditEntries()).filter((e) => e.action === 'user_deleted')).toHaveLength(150);
  });
});
