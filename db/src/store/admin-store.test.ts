import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AttuneStore } from './attune-store.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('admin work on %s', (engine) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(engine);
  });
  afterEach(() => t.close());

  const addUsers = async (...ids: string[]) => {
    for (const id of ids) await t.addUser(id);
  };
  const admins = async (...ids: string[]) => {
    await addUsers(...ids);
    for (const id of ids) await t.patchUser(id, { role: 'admin' });
  };
  const by = (actorId: string) => ({ actorId, ip: '192.0.2.9' });
  const log = async () =>
    (await t.store.audit.list({ limit: 100 })).entries.map((e) => [
      e.action,
      e.actorId,
      e.target,
      e.detail,
    ]);
  const activeAdmins = async () =>
    (await t.store.admin.searchUsers({ role: 'admin', status: 'active', limit: 100 })).users
      .map((u) => u.id)
      .sort();

  describe('searchUsers', () => {
    it('pages newest first, ids in byte order on equal times, matching email or name ignoring case', async () => {
      // Byte order puts upper case first; a locale's collation would interleave them.
      await addUsers('ada_lovelace', 'Adam', 'grace', 'ADA-2', 'bob');
      await t.patchUser('ada_lovelace', { createdAt: 5 });
      await t.patchUser('grace', { createdAt: 9, fullName: 'Grace Hopper' });
      const search = async (query: { search?: string; limit: number }) => {
        const ids: string[][] = [];
        let after;
        for (;;) {
          const page = await t.store.admin.searchUsers({ ...query, after });
          ids.push(page.users.map((u) => u.id));
          if (!page.next) return ids;
          after = page.next;
        }
      };
      expect(await search({ limit: 2 })).toEqual([
        ['grace', 'ada_lovelace'],
        ['bob', 'Adam'],
        ['ADA-2'],
      ]);
      expect((await search({ search: 'ADA', limit: 10 })).flat()).toEqual([
        'ada_lovelace',
        'Adam',
        'ADA-2',
      ]);
      expect((await search({ search: 'hOPPER', limit: 10 })).flat()).toEqual(['grace']);
      expect((await search({ search: '_', limit: 10 })).flat()).toEqual(['ada_lovelace']);
      expect((await search({ search: '%', limit: 10 })).flat()).toEqual([]);
      await t.patchUser('bob', { status: 'suspended', role: 'moderator' });
      const filtered = await t.store.admin.searchUsers({
        role: 'moderator',
        status: 'suspended',
        limit: 10,
      });
      expect(filtered.users.map((u) => u.id)).toEqual(['bob']);
    });
  });

  describe('changeUser', () => {
    it('changes role and status with an entry for each change, none for what stayed', async () => {
      await admins('root');
      await addUsers('ana');
      const result = await t.store.admin.changeUser(
        { userId: 'ana', role: 'moderator', status: 'active', ...by('root') },
        10,
      );
      expect(result).toMatchObject({
        status: 'changed',
        user: { id: 'ana', role: 'moderator', status: 'active' },
        previous: { role: 'user', status: 'active' },
        suspended: false,
      });
      expect(await log()).toEqual([
        ['role_change', 'root', 'ana', '{"from":"user","to":"moderator"}'],
      ]);
      expect(
        await t.store.admin.changeUser({ userId: 'nobody', role: 'user', ...by('root') }, 11),
      ).toEqual({ status: 'not_found' });
    });

    it('suspends: signs every device out and drops a pending change of address', async () => {
      await admins('root');
      await addUsers('ana');
      await t.store.refreshTokens.insertFamily({ userId: 'ana', tokenHash: 'h', expiresAt: 99 }, 1);
      const change = { userId: 'ana', status: 'suspended' as const, ...by('root') };
      const first = await t.store.admin.changeUser(change, 10);
      expect(first).toMatchObject({ status: 'changed', suspended: true });
      expect(first.status === 'changed' && first.user.pendingEmail).toBeNull();
      expect(await t.store.accounts.devices('ana', 5)).toEqual([]);
      expect(await t.store.admin.changeUser(change, 11)).toMatchObject({ suspended: false });
      expect(await log()).toEqual([
        ['status_change', 'root', 'ana', '{"from":"active","to":"suspended"}'],
      ]);
    });

    it('refuses to demote or suspend the last active admin, writing nothing', async () => {
      await admins('root', 'old');
      await t.patchUser('old', { status: 'suspended' });
      for (const change of [{ role: 'user' as const }, { status: 'suspended' as const }]) {
        expect(
          await t.store.admin.changeUser({ userId: 'root', ...change, ...by('old') }, 10),
        ).toEqual({ status: 'last_admin' });
      }
      expect(await activeAdmins()).toEqual(['root']);
      expect(await log()).toEqual([]);
      // Another admin's change is not held up by it.
      expect(
        await t.store.admin.changeUser({ userId: 'old', role: 'user', ...by('root') }, 11),
      ).toMatchObject({ status: 'changed' });
    });

    it('keeps one active admin when two replicas demote the last two at once', async () => {
      const other = await t.replica();
      for (let round = 0; round < 5; round++) {
        const [a, b] = [`a${round}`, `b${round}`];
        await admins(a, b);
        const demote = (store: AttuneStore, userId: string, actorId: string) =>
          store.admin.changeUser({ userId, role: 'user', ...by(actorId) }, 10 + round);
        const results = await Promise.all([demote(t.store, b, a), demote(other, a, b)]);
        expect(results.map((r) => r.status).sort()).toEqual(['changed', 'last_admin']);
        expect(await activeAdmins()).toHaveLength(1);
        // The one left is demoted by nobody now: start the next round from none.
        const [left] = await activeAdmins();
        await t.patchUser(left!, { role: 'user' });
      }
    });

    it('keeps one active admin when one replica suspends and another deletes the last two', async () => {
      const other = await t.replica();
      await admins('a', 'b');
      const results = await Promise.all([
        t.store.admin.changeUser({ userId: 'a', status: 'suspended', ...by('b') }, 10),
        other.admin.deleteUser(
          { userId: 'b' },
          { action: 'user_deleted', actorId: 'a', target: null, ip: null },
          10,
        ),
      ]);
      const outcomes = results.map((r) => (typeof r === 'string' ? r : r.status)).sort();
      expect([
        ['changed', 'last_admin'],
        ['deleted', 'last_admin'],
      ]).toContainEqual(outcomes);
      expect(await activeAdmins()).toHaveLength(1);
    });
  });

  describe('deleteUser', () => {
    const deletedBy = (actorId: string) => ({
      action: 'user_deleted',
      actorId,
      target: null,
      ip: '192.0.2.9',
      detail: { role: 'user' },
    });

    it('deletes the user and what they own, anonymising their entries', async () => {
      await admins('root');
      await addUsers('ana');
      await t.addSession({ id: 's', userId: 'ana', issuedAt: 1 });
      await t.addTurn({ userId: 'ana', sessionId: 's', role: 'user', text: 'hi' }, 2);
      await t.store.audit.append(
        { action: 'login_success', actorId: 'ana', target: 'ana', ip: '192.0.2.1' },
        3,
      );
      await t.store.audit.append(
        { action: 'role_change', actorId: 'root', target: 'ana', ip: '192.0.2.2', detail: {} },
        4,
      );
      expect(await t.store.admin.deleteUser({ userId: 'ana' }, deletedBy('root'), 10)).toBe(
        'deleted',
      );
      expect(await t.store.admin.findSession('s')).toBeUndefined();
      expect(await t.store.accounts.exportData('ana')).toBeUndefined();
      expect(await log()).toEqual([
        ['user_deleted', 'root', null, '{"role":"user"}'],
        ['role_change', 'root', null, null],
        ['login_success', null, null, null],
      ]);
      expect(await t.store.admin.deleteUser({ userId: 'ana' }, deletedBy('root'), 11)).toBe(
        'not_found',
      );
    });

    it('refuses to delete the last active admin', async () => {
      await admins('root', 'other');
      await t.patchUser('other', { status: 'suspended' });
      expect(await t.store.admin.deleteUser({ userId: 'root' }, deletedBy('other'), 10)).toBe(
        'last_admin',
      );
      // A suspended admin may go while an active one stays.
      expect(await t.store.admin.deleteUser({ userId: 'other' }, deletedBy('root'), 10)).toBe(
        'deleted',
      );
      expect(await activeAdmins()).toEqual(['root']);
    });
  });

  describe('sessions', () => {
    const ended = { action: 'session_terminated', actorId: 'root', target: 'ana', ip: null };

    it('ends a session with its duration in whole seconds and signs its user out', async () => {
      await addUsers('root', 'ana');
      await t.addSession({
        id: 'joined',
        userId: 'ana',
        issuedAt: 500,
        status: 'active',
        sessionStart: 1_000,
      });
      await t.addSession({ id: 'never', userId: 'ana', issuedAt: 700 });
      await t.store.refreshTokens.insertFamily(
        { userId: 'ana', tokenHash: 'h', expiresAt: 1e6 },
        1,
      );
      const row = await t.store.admin.endSession({ id: 'joined', userId: 'ana' }, ended, 3_500);
      expect(row).toMatchObject({
        id: 'joined',
        sessionStart: 1_000,
        sessionEnd: 3_500,
        durationSeconds: 3,
        status: 'ended',
        endReason: 'terminated',
        endSource: 'admin',
      });
      expect(
        await t.store.admin.endSession({ id: 'never', userId: 'ana' }, ended, 4_499),
      ).toMatchObject({ sessionStart: 4_499, durationSeconds: 0 });
      expect(
        await t.store.admin.endSession({ id: 'joined', userId: 'ana' }, ended, 5_000),
      ).toBeUndefined();
      expect(await t.store.admin.findSession('joined')).toMatchObject({ sessionEnd: 3_500 });
      expect(await t.store.accounts.devices('ana', 2)).toEqual([]);
      expect((await log()).map(([action]) => action)).toEqual([
        'session_terminated',
        'session_terminated',
        'session_terminated',
      ]);
    });

    it('finds the sessions that may be in a room now', async () => {
      await addUsers('ana', 'ben');
      await t.addSession({ id: 'active', userId: 'ana', issuedAt: 1, status: 'active' });
      await t.addSession({ id: 'fresh', userId: 'ana', issuedAt: 100 });
      await t.addSession({ id: 'stale', userId: 'ana', issuedAt: 10 });
      await t.addSession({ id: 'over', userId: 'ana', issuedAt: 100, status: 'ended' });
      await t.addSession({ id: 'bens', userId: 'ben', issuedAt: 100, status: 'active' });
      const live = await t.store.admin.liveSessions('ana', 50);
      expect(live.map((s) => s.id).sort()).toEqual(['active', 'fresh']);
    });

    it('counts users and sessions as numbers', async () => {
      const now = 10 * 86_400_000;
      await admins('root');
      await addUsers('ana', 'ben');
      await t.patchUser('ben', { status: 'suspended' });
      const at = (days: number) => now - days * 86_400_000;
      const session = (id: string, fields: Record<string, unknown>) =>
        t.addSession({ id, userId: 'ana', issuedAt: at(0.5), ...fields });
      await session('live', { status: 'active', sessionStart: at(0.4) });
      await session('ended-1', {
        status: 'ended',
        sessionStart: at(2),
        sessionEnd: at(1.9),
        durationSeconds: 10,
      });
      await session('ended-2', {
        status: 'ended',
        sessionStart: at(0.3),
        sessionEnd: at(0.2),
        durationSeconds: 15,
      });
      await session('ended-old', {
        status: 'ended',
        sessionStart: at(8),
        sessionEnd: at(8),
        durationSeconds: 999,
        issuedAt: at(8),
      });
      expect(await t.store.admin.stats(now)).toEqual({
        users: { total: 3, byRole: { admin: 1, user: 2 }, suspended: 1 },
        sessions: { active: 1, startedLast24h: 2, endedLast24h: 1, meanSecondsLast7d: 12.5 },
        tokensMintedLast24h: 3,
      });
    });

    it('counts nothing on an empty deployment', async () => {
      expect(await t.store.admin.stats(1_000)).toEqual({
        users: { total: 0, byRole: {}, suspended: 0 },
        sessions: { active: 0, startedLast24h: 0, endedLast24h: 0, meanSecondsLast7d: null },
        tokensMintedLast24h: 0,
      });
    });
  });

  describe('making an admin', () => {
    const made = (how: string) => ({
      action: 'admin_created',
      actorId: null,
      ip: null,
      detail: { how },
    });

    it('creates an admin once per email, and promotes an existing user', async () => {
      const input = {
        email: 'boss@example.com',
        fullName: 'Boss',
        passwordHash: 'h',
        emailVerifiedAt: 5,
      };
      const created = await t.store.admin.createAdmin(input, made('created'), 10);
      expect(created).toMatchObject({
        email: 'boss@example.com',
        role: 'admin',
        emailVerifiedAt: 5,
        createdAt: 10,
      });
      expect(await t.store.admin.createAdmin(input, made('created'), 11)).toBeUndefined();
      await addUsers('ana');
      expect(
        await t.store.admin.promoteToAdmin('ana', { ...made('promoted'), target: 'ana' }, 12),
      ).toMatchObject({ id: 'ana', role: 'admin' });
      expect(
        await t.store.admin.promoteToAdmin('nobody', { ...made('promoted'), target: null }, 13),
      ).toBeUndefined();
      expect(await log()).toEqual([
        ['admin_created', null, 'ana', '{"how":"promoted"}'],
        ['admin_created', null, created!.id, '{"how":"created"}'],
      ]);
    });
  });

  describe('accounts made by an admin', () => {
    const newUser = (email: string, maxUsers: number | null = null) => ({
      email,
      fullName: 'New',
      role: 'analyst' as const,
      maxUsers,
      linkTtlMs: 1_000,
    });
    const created = (user: { id: string; role: string }) => ({
      action: 'user_created',
      actorId: 'boss',
      target: user.id,
      ip: null,
      detail: { role: user.role },
    });

    it('creates a user without a password, with a working set-password link and its entry', async () => {
      const result = await t.store.admin.createUser(newUser('new@example.com'), 10, created);
      if (result.status !== 'created') throw new Error(result.status);
      expect(result.user).toMatchObject({
        email: 'new@example.com',
        role: 'analyst',
        passwordHash: null,
        createdAt: 10,
      });
      expect(
        await t.store.actionTokens.findUsable(result.token, ['set_password'], 1_009),
      ).toMatchObject({ userId: result.user.id, email: 'new@example.com', expiresAt: 1_010 });
      expect(await log()).toEqual([['user_created', 'boss', result.user.id, '{"role":"analyst"}']]);
    });

    it('refuses MAX_USERS before a taken address, writing nothing', async () => {
      await addUsers('ana');
      await addUsers('guest');
      await t.patchUser('guest', { role: 'guest' });
      // Guests do not count: one non-guest account exists.
      expect(await t.store.admin.createUser(newUser('ana@example.com', 1), 10, created)).toEqual({
        status: 'user_limit',
      });
      expect(await t.store.admin.createUser(newUser('ana@example.com', 2), 10, created)).toEqual({
        status: 'email_taken',
      });
      expect(await log()).toEqual([]);
      expect(await t.store.users.countNonGuest()).toBe(1);
    });

    it('creates exactly one of 8 accounts for the last place, over two replicas', async () => {
      await addUsers('ana');
      const replicas: AttuneStore[] = [t.store, await t.replica()];
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          replicas[i % 2]!.admin.createUser(newUser(`u${i}@example.com`, 2), 10, created),
        ),
      );
      expect(results.filter((r) => r.status === 'created')).toHaveLength(1);
      expect(results.filter((r) => r.status === 'user_limit')).toHaveLength(7);
      expect(await t.store.users.countNonGuest()).toBe(2);
      expect((await log()).map(([action]) => action)).toEqual(['user_created']);
    });

    const invitation = (email: string, maxUsers: number | null = null) => ({
      email,
      role: 'moderator' as const,
      maxUsers,
      ttlMs: 1_000,
    });
    const invited = (row: { role: string | null }) => ({
      action: 'invitation_sent',
      actorId: 'boss',
      target: null,
      ip: null,
      detail: { role: row.role },
    });

    it('invites an address, and only its latest invitation works', async () => {
      const first = await t.store.admin.invite(invitation('inv@example.com'), 10, invited);
      const second = await t.store.admin.invite(invitation('inv@example.com'), 11, invited);
      if (first.status !== 'issued' || second.status !== 'issued') throw new Error('refused');
      expect(second.row).toMatchObject({
        purpose: 'invitation',
        userId: null,
        email: 'inv@example.com',
        role: 'moderator',
        expiresAt: 1_011,
      });
      expect(
        await t.store.actionTokens.findUsable(first.token, ['invitation'], 12),
      ).toBeUndefined();
      expect(await t.store.actionTokens.findUsable(second.token, ['invitation'], 12)).toBeDefined();
      expect(await log()).toEqual([
        ['invitation_sent', 'boss', null, '{"role":"moderator"}'],
        ['invitation_sent', 'boss', null, '{"role":"moderator"}'],
      ]);
    });

    it('refuses to invite an address with an account, then at MAX_USERS, writing nothing', async () => {
      await addUsers('ana');
      expect(await t.store.admin.invite(invitation('ana@example.com', 1), 10, invited)).toEqual({
        status: 'email_taken',
      });
      expect(await t.store.admin.invite(invitation('new@example.com', 1), 10, invited)).toEqual({
        status: 'user_limit',
      });
      expect(await log()).toEqual([]);
    });

    it('leaves one live invitation when two replicas invite one address at once', async () => {
      const replicas: AttuneStore[] = [t.store, await t.replica()];
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          replicas[i % 2]!.admin.invite(invitation('inv@example.com'), 10, invited),
        ),
      );
      const live = [];
      for (const result of results) {
        if (result.status !== 'issued') throw new Error(result.status);
        if (await t.store.actionTokens.findUsable(result.token, ['invitation'], 11))
          live.push(result);
      }
      expect(live).toHaveLength(1);
    });
  });

  describe("the operator's role change", () => {
    const changed = ({
      previous,
      user,
    }: {
      previous: { role: string };
      user: { id: string; role: string };
    }) => ({
      action: 'role_change',
      actorId: null,
      target: user.id,
      ip: null,
      detail: { from: previous.role, to: user.role, via: 'cli' },
    });

    it('sets any role, the last admin’s too, with the role it replaced', async () => {
      await admins('root');
      const result = await t.store.admin.setRoleByOperator('root', 'analyst', changed, 10);
      expect(result?.previous.role).toBe('admin');
      expect(result?.user).toMatchObject({ id: 'root', role: 'analyst' });
      expect(await t.store.admin.setRoleByOperator('nobody', 'admin', changed, 11)).toBeUndefined();
      expect(await log()).toEqual([
        ['role_change', null, 'root', '{"from":"admin","to":"analyst","via":"cli"}'],
      ]);
    });
  });

  describe('countActiveSessions', () => {
    it("counts the user's joined sessions that have not ended, no one else's", async () => {
      await addUsers('ana', 'ben');
      await t.addSession({
        id: 's1',
        userId: 'ana',
        issuedAt: 1,
        status: 'active',
        sessionStart: 2,
      });
      await t.addSession({
        id: 's2',
        userId: 'ana',
        issuedAt: 1,
        status: 'active',
        sessionStart: 3,
      });
      await t.addSession({ id: 's3', userId: 'ana', issuedAt: 1 });
      await t.addSession({
        id: 's4',
        userId: 'ana',
        issuedAt: 1,
        status: 'ended',
        sessionStart: 2,
        sessionEnd: 4,
        durationSeconds: 0,
      });
      await t.addSession({
        id: 's5',
        userId: 'ben',
        issuedAt: 1,
        status: 'active',
        sessionStart: 2,
      });
      expect(await t.store.admin.countActiveSessions('ana')).toBe(2);
      expect(await t.store.admin.countActiveSessions('nobody')).toBe(0);
    });
  });
});
