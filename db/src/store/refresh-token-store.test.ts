import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('refresh-token rotation on %s', (engine) => {
  let t: TestStore;
  const day = 86_400_000;

  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
  });
  afterEach(() => t.close());

  const rotation = (presentedHash: string, nextHash: string) => ({
    presentedHash,
    nextHash,
    nextExpiresAt: 10 * day,
  });

  it('rotates a live token once, keeping its family', async () => {
    const first = await t.store.refreshTokens.insertFamily(
      { userId: 'ana', tokenHash: 'h0', expiresAt: 5 * day, userAgent: 'ua', ip: '192.0.2.1' },
      1,
    );
    const result = await t.store.refreshTokens.rotate(rotation('h0', 'h1'), 2);
    expect(result).toMatchObject({
      status: 'rotated',
      token: { familyId: first.familyId, parentId: first.id, tokenHash: 'h1', userAgent: 'ua' },
    });
    expect(await t.store.refreshTokens.rotate(rotation('nope', 'h9'), 3)).toEqual({
      status: 'unknown',
    });
  });

  it('revokes the family when a rotated token is replayed on another replica', async () => {
    const other = await t.replica();
    const first = await t.store.refreshTokens.insertFamily(
      { userId: 'ana', tokenHash: 'h0', expiresAt: 5 * day },
      1,
    );
    expect((await t.store.refreshTokens.rotate(rotation('h0', 'h1'), 2)).status).toBe('rotated');
    expect(await other.refreshTokens.rotate(rotation('h0', 'h2'), 3)).toEqual({
      status: 'reused',
      userId: 'ana',
      familyId: first.familyId,
    });
    // The successor the first replica issued was revoked with its family: it no longer rotates.
    expect((await t.store.refreshTokens.rotate(rotation('h1', 'h3'), 4)).status).toBe('revoked');
  });

  it('lets exactly one of two simultaneous uses of a token rotate it, and revokes the family', async () => {
    const other = await t.replica();
    await t.store.refreshTokens.insertFamily(
      { userId: 'ana', tokenHash: 'h0', expiresAt: 5 * day },
      1,
    );
    const results = await Promise.all([
      t.store.refreshTokens.rotate(rotation('h0', 'a1'), 2),
      other.refreshTokens.rotate(rotation('h0', 'b1'), 2),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['reused', 'rotated']);
    const rotated = results.find((r) => r.status === 'rotated');
    const successor = rotated?.status === 'rotated' ? rotated.token.tokenHash : '';
    expect((await t.store.refreshTokens.rotate(rotation(successor, 'c1'), 3)).status).toBe(
      'revoked',
    );
  });

  it('refuses an expired token and revokes its family; a signed-out one is just revoked', async () => {
    await t.store.refreshTokens.insertFamily({ userId: 'ana', tokenHash: 'old', expiresAt: 5 }, 1);
    expect(await t.store.refreshTokens.rotate(rotation('old', 'x'), 5)).toEqual({
      status: 'expired',
    });
    const device = await t.store.refreshTokens.insertFamily(
      { userId: 'ana', tokenHash: 'live', expiresAt: 5 * day },
      1,
    );
    expect(await t.store.refreshTokens.revokeFamily('ana', device.familyId, 2)).toBe(1);
    expect(await t.store.refreshTokens.revokeFamily('ana', device.familyId, 3)).toBe(0);
    expect(await t.store.refreshTokens.rotate(rotation('live', 'y'), 4)).toEqual({
      status: 'revoked',
    });
  });

  it('signs out of one device or of all of them, with the audit entry', async () => {
    const family = (hash: string) =>
      t.store.refreshTokens.insertFamily({ userId: 'ana', tokenHash: hash, expiresAt: 5 * day }, 1);
    const [a, b, c] = [await family('a'), await family('b'), await family('c')];
    const audit = { action: 'logout', actorId: 'ana', target: 'ana', ip: null };
    expect(await t.store.refreshTokens.signOut('ana', { familyId: a.familyId }, 2, audit)).toBe(1);
    expect(await t.store.users.findSignedIn('ana', b.familyId, 3)).toBeDefined();
    expect(await t.store.refreshTokens.signOut('ana', { everywhere: true }, 3)).toBe(2);
    expect(await t.store.users.findSignedIn('ana', c.familyId, 4)).toBeUndefined();
    expect((await t.auditEntries()).map((e) => e.action)).toEqual(['logout']);
  });
});
