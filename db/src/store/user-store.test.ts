import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAccount } from '../queries/new-account.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const account = (email: string, extra: Partial<NewAccount> = {}): NewAccount => ({
  email,
  fullName: email.split('@')[0]!,
  passwordHash: 'hash',
  maxUsers: null,
  invitation: null,
  ...extra,
});

describe.each(STORE_ENGINES)('users on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
  });
  afterEach(() => t.close());

  it('creates an account, finds it by id and email, and refuses a taken address', async () => {
    const created = await t.store.users.createAccount(
      account('ana@example.org'),
      5,
      ({ user }) => ({
        action: 'register',
        actorId: user.id,
        target: user.id,
        ip: null,
      }),
    );
    if (created.status !== 'created') throw new Error(created.status);
    expect(created.user).toMatchObject({
      email: 'ana@example.org',
      role: 'user',
      createdAt: 5,
      emailVerifiedAt: null,
    });
    expect(await t.store.users.findById(created.user.id)).toEqual(created.user);
    expect(await t.store.users.findByEmail('ana@example.org')).toEqual(created.user);
    expect(await t.store.users.findByEmail('nobody@example.org')).toBeUndefined();
    expect(await t.store.users.createAccount(account('ana@example.org'), 6)).toEqual({
      status: 'email_taken',
    });
    expect((await t.auditEntries()).map((e) => e.action)).toEqual(['register']);
  });

  it('refuses an account at MAX_USERS, not counting guests', async () => {
    await t.store.users.createAccount(account('a@example.org'), 1);
    await t.store.users.createAccount(account('g@guests.attune.invalid', { role: 'guest' }), 1);
    expect(await t.store.users.countNonGuest()).toBe(1);
    expect(
      (await t.store.users.createAccount(account('b@example.org', { maxUsers: 2 }), 2)).status,
    ).toBe('created');
    expect(await t.store.users.createAccount(account('c@example.org', { maxUsers: 2 }), 3)).toEqual(
      { status: 'user_limit' },
    );
  });

  it('spends an invitation for its own address only, and gives its role; a failed sign-up keeps it', async () => {
    const invite = await t.store.actionTokens.issue(
      {
        purpose: 'invitation',
        userId: null,
        email: 'inv@example.org',
        role: 'analyst',
        ttlMs: 1_000,
      },
      1,
    );
    const withInvite = (email: string) => account(email, { invitation: { token: invite.token } });
    expect(await t.store.users.createAccount(withInvite('other@example.org'), 2)).toEqual({
      status: 'invitation_refused',
    });
    await t.store.users.createAccount(account('inv@example.org'), 2);
    // The address is taken: the sign-up rolls back, invitation included.
    expect(await t.store.users.createAccount(withInvite('inv@example.org'), 3)).toEqual({
      status: 'email_taken',
    });
    expect(await t.store.actionTokens.findUsable(invite.token, ['invitation'], 3)).toBeDefined();
  });

  it('creates an invited account verified, with the invitation’s role, spending it once', async () => {
    const invite = await t.store.actionTokens.issue(
      {
        purpose: 'invitation',
        userId: null,
        email: 'inv@example.org',
        role: 'analyst',
        ttlMs: 1_000,
      },
      1,
    );
    const created = await t.store.users.createAccount(
      account('inv@example.org', { invitation: { token: invite.token } }),
      2,
    );
    expect(created).toMatchObject({
      status: 'created',
      user: { role: 'analyst', emailVerifiedAt: 2 },
      invitation: { email: 'inv@example.org' },
    });
    expect(await t.store.actionTokens.findUsable(invite.token, ['invitation'], 3)).toBeUndefined();
  });

  it('admits exactly one of 8 concurrent sign-ups for the last place, over two replicas', async () => {
    await t.store.users.createAccount(account('first@example.org'), 1);
    const replicas = [t.store, await t.replica()];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        replicas[i % 2]!.users.createAccount(account(`u${i}@example.org`, { maxUsers: 2 }), 2),
      ),
    );
    expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'user_limit')).toHaveLength(7);
    expect(await t.store.users.countNonGuest()).toBe(2);
  });

  it('renames a user with its audit entry; an unknown id is undefined and records nothing', async () => {
    await t.addUser('ana');
    const audit = () => ({ action: 'profile_updated', actorId: 'ana', target: 'ana', ip: null });
    expect(await t.store.users.rename('ana', 'Ana B', 2, audit)).toMatchObject({
      fullName: 'Ana B',
    });
    expect(await t.store.users.rename('nobody', 'X', 3, audit)).toBeUndefined();
    expect((await t.auditEntries()).map((e) => e.action)).toEqual(['profile_updated']);
  });

  it('finds a user signed in on a device only while its family has a live token', async () => {
    await t.addUser('ana');
    const device = await t.store.refreshTokens.insertFamily(
      { userId: 'ana', tokenHash: 'h', expiresAt: 100 },
      1,
    );
    expect(await t.store.users.findSignedIn('ana', device.familyId, 50)).toMatchObject({
      id: 'ana',
    });
    expect(await t.store.users.findSignedIn('ana', device.familyId, 100)).toBeUndefined();
    await t.store.refreshTokens.revokeFamily('ana', device.familyId, 60);
    expect(await t.store.users.findSignedIn('ana', device.familyId, 70)).toBeUndefined();
  });
});
