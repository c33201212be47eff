import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('accounts on %s', (engine) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
    await t.addUser('ben');
    await t.patchUser('ana', { passwordHash: 'hash-ana' });
  });
  afterEach(() => t.close());

  const device = (userId: string, tokenHash: string, nowMs: number, expiresAt = 10_000) =>
    t.store.refreshTokens.insertFamily(
      { userId, tokenHash, expiresAt, userAgent: `ua-${tokenHash}`, ip: '192.0.2.1' },
      nowMs,
    );
  const signedOut = (familyId: string) => ({
    action: 'device_signed_out',
    actorId: 'ana',
    target: 'ana',
    ip: '192.0.2.9',
    detail: { device_id: familyId },
  });
  const auditActions = async () =>
    (await t.store.audit.list({ limit: 100 })).entries.map((e) => e.action);

  it('lists live devices, last used first, with when each signed in', async () => {
    const laptop = await device('ana', 'laptop', 10);
    const phone = await device('ana', 'phone', 20);
    await device('ana', 'stale', 5, 50);
    await device('ben', 'bens', 30);
    await t.store.refreshTokens.rotate(
      { presentedHash: 'laptop', nextHash: 'laptop-2', nextExpiresAt: 20_000 },
      40,
    );
    expect(await t.store.accounts.devices('ana', 100)).toEqual([
      {
        familyId: laptop.familyId,
        createdAt: 10,
        lastUsedAt: 40,
        expiresAt: 20_000,
        userAgent: 'ua-laptop',
        ip: '192.0.2.1',
      },
      {
        familyId: phone.familyId,
        createdAt: 20,
        lastUsedAt: 20,
        expiresAt: 10_000,
        userAgent: 'ua-phone',
        ip: '192.0.2.1',
      },
    ]);
  });

  it('signs out only the user’s own live device, auditing only what it did', async () => {
    const mine = await device('ana', 'mine', 1);
    const bens = await device('ben', 'bens', 1);
    const signOut = (familyId: string, nowMs: number) =>
      t.store.accounts.signOutDevice({ userId: 'ana', familyId }, signedOut(familyId), nowMs);
    expect(await signOut(bens.familyId, 100)).toBe(false);
    expect(await signOut('no-such-device', 100)).toBe(false);
    expect(await auditActions()).toEqual([]);
    expect(await signOut(mine.familyId, 100)).toBe(true);
    expect(await signOut(mine.familyId, 101)).toBe(false);
    expect(await t.store.accounts.devices('ana', 100)).toEqual([]);
    expect(await t.store.accounts.devices('ben', 100)).toHaveLength(1);
    const { entries } = await t.store.audit.list({ limit: 10 });
    expect(entries.map((e) => [e.action, e.at, e.detail])).toEqual([
      ['device_signed_out', 100, JSON.stringify({ device_id: mine.familyId })],
    ]);
  });

  it('exports every row about the user as stored, without secrets or other people', async () => {
    await t.addSession({ id: 's1', userId: 'ana', issuedAt: 7 });
    await t.addRoom('room-b', 'ana', 7);
    await t.addRoom('Room-A', 'ana', 7);
    await t.addTurn({ userId: 'ana', sessionId: 's1', role: 'user', text: 'hello' }, 8);
    await t.addTurn({ userId: 'ana', sessionId: null, role: 'assistant', text: 'loose' }, 9);
    await t.addTurn({ userId: 'ben', sessionId: null, role: 'user', text: 'bens' }, 9);
    const first = await device('ana', 'secret-a', 1);
    await t.store.refreshTokens.rotate(
      { presentedHash: 'secret-a', nextHash: 'secret-a2', nextExpiresAt: 20_000 },
      2,
    );
    for (const key of ['units', 'Tone']) {
      await t.store.preferences.save({ userId: 'ana', key, value: 'v', maxPerUser: 9 }, 3);
    }
    await t.store.audit.append(
      { action: 'login_success', actorId: 'ana', target: 'ana', ip: '192.0.2.4', detail: { x: 1 } },
      4,
    );
    await t.store.audit.append(
      { action: 'role_change', actorId: 'ben', target: 'ana', ip: '192.0.2.5' },
      5,
    );
    await t.store.audit.append(
      { action: 'login_success', actorId: 'ben', target: 'ben', ip: null },
      6,
    );

    const exported = (await t.store.accounts.exportData('ana'))!;
    const text = JSON.stringify(exported);
    expect(text).not.toContain('"secret-a'); // the token hashes (the user agent names them too)
    expect(text).not.toContain('token_hash');
    expect(text).not.toContain('hash-ana');
    expect(text).not.toContain('ben');
    expect(exported.user).toEqual({
      id: 'ana',
      email: 'ana@example.com',
      full_name: 'ana',
      role: 'user',
      status: 'active',
      created_at: 1,
      last_login: null,
      email_verified_at: null,
      pending_email: null,
    });
    expect(exported.preferences).toEqual([
      { user_id: 'ana', key: 'Tone', value: 'v', updated_at: 3 },
      { user_id: 'ana', key: 'units', value: 'v', updated_at: 3 },
    ]);
    expect(
      exported.conversationTurns.map((r) => [r.session_id, r.role, r.text, r.created_at]),
    ).toEqual([
      ['s1', 'user', 'hello', 8],
      [null, 'assistant', 'loose', 9],
    ]);
    expect(exported.sessions).toMatchObject([
      { id: 's1', user_id: 'ana', room_name: 'room-s1', issued_at: 7, status: 'issued' },
    ]);
    expect(exported.rooms).toEqual([
      { name: 'Room-A', owner_id: 'ana', created_at: 7 },
      { name: 'room-b', owner_id: 'ana', created_at: 7 },
    ]);
    expect(exported.refreshTokens.map((r) => [r.family_id, r.created_at, r.revoked_at])).toEqual([
      [first.familyId, 1, 2],
      [first.familyId, 2, null],
    ]);
    expect(exported.auditLog.map((e) => [e.action, e.actor_id, e.target, e.ip, e.detail])).toEqual([
      ['login_success', 'ana', 'ana', '192.0.2.4', '{"x":1}'],
      ['role_change', null, 'ana', null, null],
    ]);
    expect(await t.store.accounts.exportData('nobody')).toBeUndefined();
  });

  describe('deleting the account', () => {
    const deleted = { action: 'account_deleted', actorId: null, target: null, ip: null };
    const deleteAna = (verifiedHash: string | null, store = t.store) =>
      store.accounts.deleteWithPassword({ userId: 'ana', verifiedHash }, deleted, 50);

    it('deletes nothing once the password changed, and everything of the user otherwise', async () => {
      await t.addSession({ id: 's1', userId: 'ana', issuedAt: 1 });
      await t.addSession({ id: 's-ben', userId: 'ben', issuedAt: 1 });
      await t.addRoom('room', 'ana', 1);
      await t.addTurn({ userId: 'ana', sessionId: 's1', role: 'user', text: 'hi' }, 2);
      await t.addTurn({ userId: 'ben', sessionId: 's-ben', role: 'user', text: 'hey' }, 2);
      await device('ana', 'h', 1);
      await t.store.preferences.save({ userId: 'ana', key: 'k', value: 'v', maxPerUser: 5 }, 1);
      const entries = [
        {
          action: 'login_success',
          actorId: 'ana',
          target: 'ana',
          ip: '192.0.2.1',
          detail: { a: 1 },
        },
        { action: 'role_change', actorId: 'ben', target: 'ana', ip: '192.0.2.2', detail: { b: 1 } },
        {
          action: 'agent_refused',
          actorId: null,
          target: 'ana',
          ip: '192.0.2.3',
          detail: { c: 1 },
        },
        {
          action: 'login_success',
          actorId: 'ben',
          target: 'ben',
          ip: '192.0.2.4',
          detail: { d: 1 },
        },
      ];
      for (const [i, entry] of entries.entries()) await t.store.audit.append(entry, 10 + i);

      expect(await deleteAna('an older hash')).toBe(false);
      expect(await deleteAna(null)).toBe(false);
      expect(await t.store.accounts.exportData('ana')).toBeDefined();
      expect(await auditActions()).not.toContain('account_deleted');

      expect(await deleteAna('hash-ana')).toBe(true);
      expect(await t.store.accounts.exportData('ana')).toBeUndefined();
      expect(await t.store.accounts.devices('ana', 5)).toEqual([]);
      expect(await t.store.preferences.list('ana')).toEqual([]);
      expect((await t.store.conversationTurns.historyPage('ana', { limit: 5 })).groups).toEqual([]);
      expect(
        await t.store.conversationTurns.recent('ben', { maxTurns: 5, maxChars: 99 }),
      ).toHaveLength(1);
      // Entries keep their action and time; the user's id, IP and details are gone, an admin's
      // id on an entry about the user stays.
      const log = (await t.store.audit.list({ limit: 10 })).entries.map((e) => [
        e.action,
        e.at,
        e.actorId,
        e.target,
        e.ip,
        e.detail,
      ]);
      expect(log).toEqual([
        ['account_deleted', 50, null, null, null, null],
        ['login_success', 13, 'ben', 'ben', '192.0.2.4', '{"d":1}'],
        ['agent_refused', 12, null, null, null, null],
        ['role_change', 11, 'ben', null, '192.0.2.2', null],
        ['login_success', 10, null, null, null, null],
      ]);
    });

    it('deletes a user without a password only when asked with none', async () => {
      await t.patchUser('ana', { passwordHash: null });
      expect(await deleteAna('hash-ana')).toBe(false);
      expect(await deleteAna(null)).toBe(true);
    });

    it('deletes once when two replicas are asked at the same time', async () => {
      const other = await t.replica();
      const results = await Promise.all([deleteAna('hash-ana'), deleteAna('hash-ana', other)]);
      expect(results.sort()).toEqual([false, true]);
      expect((await auditActions()).filter((a) => a === 'account_deleted')).toHaveLength(1);
    });
  });
});
