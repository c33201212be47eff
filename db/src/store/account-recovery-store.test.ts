import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const day = 86_400_000;
const policy = { maxFailures: 3, lockoutMs: 60_000, accountFailures: 5, accountMaxDelayMs: 8_000 };

describe.each(STORE_ENGINES)('account recovery and email change on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
    await t.addUser('ben');
  });
  afterEach(() => t.close());

  const mailLink = (
    purpose: 'password_reset' | 'set_password' | 'email_verification',
    email = 'ana@example.com',
    userId = 'ana',
  ) => t.store.actionTokens.issue({ purpose, userId, email, ttlMs: day }, 1);
  const device = (hash: string) =>
    t.store.refreshTokens.insertFamily({ userId: 'ana', tokenHash: hash, expiresAt: day }, 1);

  it('a reset link sets the password, signs out everywhere, voids links, drops a pending change and forgets failures', async () => {
    const phone = await device('phone');
    const reset = await mailLink('password_reset');
    const setLink = await mailLink('set_password');
    await t.store.emailChange.request('ana', 'new@example.com', 2);
    await t.store.loginThrottle.claim({ email: 'ana@example.com', ipKey: 'ip:1' }, policy, 2);
    await t.store.loginThrottle.claim({ email: 'ana@example.com', ipKey: 'ip:1' }, policy, 2);

    const result = await t.store.accountRecovery.resetPassword(
      { token: reset.token, passwordHash: 'new-hash' },
      3,
      ({ user, purpose }) => ({
        action: 'password_reset',
        actorId: user.id,
        target: user.id,
        ip: null,
        detail: { purpose },
      }),
    );
    expect(result).toMatchObject({
      status: 'password_set',
      purpose: 'password_reset',
      user: { id: 'ana', passwordHash: 'new-hash', pendingEmail: null, emailVerifiedAt: 3 },
    });
    expect(await t.store.users.findSignedIn('ana', phone.familyId, 4)).toBeUndefined();
    expect(
      await t.store.actionTokens.findUsable(setLink.token, ['set_password'], 4),
    ).toBeUndefined();
    expect(
      await t.store.loginThrottle.claim({ email: 'ana@example.com', ipKey: 'ip:1' }, policy, 4),
    ).toMatchObject({ pairFailures: 1 });
    expect(await t.auditEntries()).toEqual([
      {
        action: 'password_reset',
        actorId: 'ana',
        target: 'ana',
        detail: { purpose: 'password_reset' },
      },
    ]);
    expect(
      await t.store.accountRecovery.resetPassword({ token: reset.token, passwordHash: 'x' }, 5),
    ).toEqual({ status: 'invalid_token' });
  });

  it('refuses a reset link mailed to an address the account no longer has', async () => {
    const stale = await mailLink('password_reset', 'old@example.com');
    expect(
      await t.store.accountRecovery.resetPassword({ token: stale.token, passwordHash: 'x' }, 2),
    ).toEqual({ status: 'invalid_token' });
  });

  it('a password change keeps the asking device and loses to a change made meanwhile', async () => {
    const phone = await device('phone');
    const laptop = await device('laptop');
    const changed = await t.store.accountRecovery.setPassword('ana', 'h1', 2, {
      keepFamilyId: laptop.familyId,
    });
    expect(changed).toMatchObject({ passwordHash: 'h1' });
    expect(await t.store.users.findSignedIn('ana', laptop.familyId, 3)).toBeDefined();
    expect(await t.store.users.findSignedIn('ana', phone.familyId, 3)).toBeUndefined();
    expect(
      await t.store.accountRecovery.setPassword('ana', 'h2', 4, { ifPasswordHashIs: 'h0' }),
    ).toBeUndefined();
    expect((await t.store.users.findById('ana'))?.passwordHash).toBe('h1');
  });

  it('asks for a new address, refusing a taken one, and confirms it through its link', async () => {
    const audit = () => ({
      action: 'email_change_requested',
      actorId: 'ana',
      target: 'ana',
      ip: null,
    });
    expect(await t.store.emailChange.request('ana', 'ben@example.com', 2, audit)).toEqual({
      status: 'email_taken',
    });
    expect(await t.store.emailChange.request('ana', 'new@example.com', 2, audit)).toMatchObject({
      status: 'pending',
      user: { pendingEmail: 'new@example.com', email: 'ana@example.com' },
    });
    expect(await t.store.emailChange.request('nobody', 'x@example.com', 2)).toEqual({
      status: 'unknown_user',
    });
    const link = await mailLink('email_verification', 'new@example.com');
    const verified = await t.store.accountRecovery.verifyEmail(link.token, 3, (user) => ({
      action: 'email_verified',
      actorId: user.id,
      target: user.id,
      ip: null,
    }));
    expect(verified).toMatchObject({
      status: 'verified',
      user: { email: 'new@example.com', pendingEmail: null, emailVerifiedAt: 3 },
    });
    expect((await t.auditEntries()).map((e) => e.action)).toEqual([
      'email_change_requested',
      'email_verified',
    ]);
  });

  it('asking for one’s own address drops a pending change; dropping voids verification links', async () => {
    await t.store.emailChange.request('ana', 'new@example.com', 2);
    expect(await t.store.emailChange.request('ana', 'ana@example.com', 3)).toMatchObject({
      status: 'unchanged',
      user: { pendingEmail: null },
    });
    await t.store.emailChange.request('ana', 'new@example.com', 4);
    const link = await mailLink('email_verification', 'new@example.com');
    await t.store.emailChange.dropPending('ana', 5);
    expect(await t.store.accountRecovery.verifyEmail(link.token, 6)).toEqual({
      status: 'invalid_token',
    });
    expect((await t.store.users.findById('ana'))?.pendingEmail).toBeNull();
  });

  it('verifies the current address, and refuses a link for one the account neither has nor waits for', async () => {
    const current = await mailLink('email_verification');
    expect(await t.store.accountRecovery.verifyEmail(current.token, 2)).toMatchObject({
      status: 'verified',
      user: { email: 'ana@example.com', emailVerifiedAt: 2 },
    });
    const other = await mailLink('email_verification', 'else@example.com');
    expect(await t.store.accountRecovery.verifyEmail(other.token, 3)).toEqual({
      status: 'invalid_token',
    });
  });

  it('lets exactly one of two replicas spend the same reset link', async () => {
    const other = await t.replica();
    const reset = await mailLink('password_reset');
    const results = await Promise.all([
      t.store.accountRecovery.resetPassword({ token: reset.token, passwordHash: 'a' }, 2),
      other.accountRecovery.resetPassword({ token: reset.token, passwordHash: 'b' }, 2),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['invalid_token', 'password_set']);
  });

  it('gives an address two accounts confirm at once over two replicas to exactly one', async () => {
    const other = await t.replica();
    await t.store.emailChange.request('ana', 'shared@example.com', 2);
    await t.store.emailChange.request('ben', 'shared@example.com', 2);
    const anaLink = await mailLink('email_verification', 'shared@example.com');
    const benLink = await mailLink('email_verification', 'shared@example.com', 'ben');
    const results = await Promise.all([
      t.store.accountRecovery.verifyEmail(anaLink.token, 3),
      other.accountRecovery.verifyEmail(benLink.token, 3),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['email_taken', 'verified']);
    const owners = [await t.store.users.findById('ana'), await t.store.users.findById('ben')];
    expect(owners.filter((u) => u?.email === 'shared@example.com')).toHaveLength(1);
    expect(owners.map((u) => u?.pendingEmail)).toEqual([null, null]);
  });
});
