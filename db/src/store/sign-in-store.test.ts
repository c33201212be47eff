import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewAccount } from '../queries/new-account.ts';
import type { User, UserSession } from '../schema.ts';
import type { NewSignIn } from './sign-in-store.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const NOW = 1_000_000;
const policy = { maxFailures: 3, lockoutMs: 60_000, accountFailures: 5, accountMaxDelayMs: 8_000 };

const newSignIn = (
  roomName: string,
  opensFor: (user: User) => boolean = () => true,
): NewSignIn => ({
  device: {
    tokenHash: `hash-${roomName}`,
    expiresAt: NOW + 60_000,
    userAgent: 'ua',
    ip: '10.0.0.1',
  },
  room: {
    roomName,
    opensFor,
    audit: (session: UserSession) => ({
      action: 'token_minted',
      actorId: session.userId,
      target: session.id,
      ip: '10.0.0.1',
      detail: { room: session.roomName },
    }),
  },
});

const account = (email: string, maxUsers: number | null = null): NewAccount => ({
  email,
  fullName: 'Carol',
  passwordHash: 'hash',
  maxUsers,
  invitation: null,
});

const registered = ({ user }: { user: User }) => ({
  action: 'register',
  actorId: user.id,
  target: user.id,
  ip: '10.0.0.1',
});

describe.each(STORE_ENGINES)('sign-ins on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
  });
  afterEach(() => t.close());

  const devicesOf = async (userId: string) =>
    (await t.store.accounts.devices(userId, NOW)).map((d) => ({
      ip: d.ip,
      userAgent: d.userAgent,
    }));

  describe('signUp', () => {
    it('writes the account, its device, a session in the fresh room and both audit entries', async () => {
      const result = await t.store.signIns.signUp(
        account('carol@example.org'),
        newSignIn('fresh'),
        NOW,
        registered,
      );
      if (result.status !== 'created') throw new Error(result.status);
      expect(result.user).toMatchObject({ email: 'carol@example.org', role: 'user' });
      expect(result.session).toMatchObject({
        userId: result.user.id,
        roomName: 'fresh',
        status: 'issued',
      });
      expect(await t.store.users.findSignedIn(result.user.id, result.familyId, NOW)).toBeDefined();
      expect(await devicesOf(result.user.id)).toEqual([{ ip: '10.0.0.1', userAgent: 'ua' }]);
      expect((await t.auditEntries()).map((e) => [e.action, e.actorId])).toEqual([
        ['register', result.user.id],
        ['token_minted', result.user.id],
      ]);
    });

    it('opens no room for a user the caller says may not have one', async () => {
      const result = await t.store.signIns.signUp(
        account('carol@example.org'),
        newSignIn('fresh', () => false),
        NOW,
        registered,
      );
      expect(result).toMatchObject({ status: 'created', session: null });
      expect(await t.sessions()).toEqual([]);
      expect((await t.auditEntries()).map((e) => e.action)).toEqual(['register']);
    });

    it('writes nothing for a taken email or at MAX_USERS', async () => {
      await t.addUser('alice');
      expect(
        await t.store.signIns.signUp(account('alice@example.com'), newSignIn('a'), NOW, registered),
      ).toEqual({ status: 'email_taken' });
      expect(
        await t.store.signIns.signUp(
          account('dan@example.org', 1),
          newSignIn('b'),
          NOW,
          registered,
        ),
      ).toEqual({ status: 'user_limit' });
      expect(await t.sessions()).toEqual([]);
      expect(await t.auditEntries()).toEqual([]);
      expect(await t.store.users.findByEmail('dan@example.org')).toBeUndefined();
    });

    it('rolls the account back when the fresh room is already taken', async () => {
      await t.addUser('alice');
      await t.addRoom('taken', 'alice', 1);
      await expect(
        t.store.signIns.signUp(account('carol@example.org'), newSignIn('taken'), NOW, registered),
      ).rejects.toThrow(/already taken/);
      expect(await t.store.users.findByEmail('carol@example.org')).toBeUndefined();
      expect(await t.auditEntries()).toEqual([]);
    });

    it('gives the last place to exactly one of two replicas signing up at once', async () => {
      const other = await t.replica();
      const results = await Promise.all([
        t.store.signIns.signUp(account('x@example.org', 1), newSignIn('x'), NOW, registered),
        other.signIns.signUp(account('y@example.org', 1), newSignIn('y'), NOW, registered),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['created', 'user_limit']);
      expect(await t.sessions()).toHaveLength(1);
      expect(await t.store.users.countNonGuest()).toBe(1);
    });
  });

  describe('logIn', () => {
    const alice = { email: 'alice@example.com', ipKey: 'ip:10.0.0.1' };
    const login = { userId: 'alice', verifiedHash: 'h1' };
    const loggedIn = (user: User) => ({
      action: 'login_success',
      actorId: user.id,
      target: user.id,
      ip: '10.0.0.1',
    });
    beforeEach(async () => {
      await t.addUser('alice');
      await t.patchUser('alice', { passwordHash: 'h1' });
    });

    it('stamps the login, stores a re-hash, settles the throttle and signs the device in', async () => {
      await t.store.loginThrottle.claim(alice, policy, NOW - 2);
      await t.store.loginThrottle.claim(alice, policy, NOW - 1);
      const record = await t.store.signIns.logIn(
        { ...login, rehashed: 'h2' },
        alice,
        newSignIn('fresh'),
        NOW,
        loggedIn,
      );
      expect(record?.user).toMatchObject({ id: 'alice', lastLogin: NOW, passwordHash: 'h2' });
      expect(record?.session).toMatchObject({ roomName: 'fresh', userId: 'alice' });
      expect(await t.store.users.findSignedIn('alice', record!.familyId, NOW)).toBeDefined();
      // The pair's two failures were cleared: the next failure is its first.
      expect(await t.store.loginThrottle.claim(alice, policy, NOW + 1)).toMatchObject({
        status: 'claimed',
        pairFailures: 1,
      });
      expect((await t.auditEntries()).map((e) => e.action)).toEqual([
        'login_success',
        'token_minted',
      ]);
    });

    it('records nothing once the password was changed or the account suspended meanwhile', async () => {
      await t.patchUser('alice', { passwordHash: 'changed' });
      expect(
        await t.store.signIns.logIn(login, alice, newSignIn('a'), NOW, loggedIn),
      ).toBeUndefined();
      await t.patchUser('alice', { passwordHash: 'h1', status: 'suspended' });
      expect(
        await t.store.signIns.logIn(login, alice, newSignIn('b'), NOW, loggedIn),
      ).toBeUndefined();
      expect(await devicesOf('alice')).toEqual([]);
      expect(await t.sessions()).toEqual([]);
      expect(await t.auditEntries()).toEqual([]);
      expect((await t.store.users.findById('alice'))?.lastLogin).toBeNull();
    });

    it('rolls the whole login back when the fresh room is already taken', async () => {
      await t.addUser('bob');
      await t.addRoom('taken', 'bob', 1);
      await expect(
        t.store.signIns.logIn(login, alice, newSignIn('taken'), NOW, loggedIn),
      ).rejects.toThrow(/already taken/);
      expect((await t.store.users.findById('alice'))?.lastLogin).toBeNull();
      expect(await devicesOf('alice')).toEqual([]);
      expect(await t.auditEntries()).toEqual([]);
    });
  });

  describe('createGuest', () => {
    const guestCreated = (user: User) => ({
      action: 'guest_created',
      actorId: user.id,
      target: user.id,
      ip: null,
    });

    it('creates a guest account with its device, room and audit entries', async () => {
      const record = await t.store.signIns.createGuest(
        { email: 'guest-1@guest.invalid', fullName: 'Guest', passwordHash: 'decoy' },
        newSignIn('fresh'),
        NOW,
        guestCreated,
      );
      expect(record?.user).toMatchObject({ role: 'guest', fullName: 'Guest', createdAt: NOW });
      expect(record?.session).toMatchObject({ roomName: 'fresh' });
      expect((await t.auditEntries()).map((e) => e.action)).toEqual([
        'guest_created',
        'token_minted',
      ]);
      // Guests do not count towards MAX_USERS.
      expect(await t.store.users.countNonGuest()).toBe(0);
    });

    it('answers undefined, writing nothing, when the email is taken', async () => {
      await t.addUser('alice');
      expect(
        await t.store.signIns.createGuest(
          { email: 'alice@example.com', fullName: 'Guest', passwordHash: 'decoy' },
          newSignIn('fresh'),
          NOW,
          guestCreated,
        ),
      ).toBeUndefined();
      expect(await t.sessions()).toEqual([]);
      expect(await t.auditEntries()).toEqual([]);
    });
  });
});
