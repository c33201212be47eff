import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACTION_TOKEN_RETENTION_MS, hashActionToken } from '../queries/action-tokens.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const reset = {
  purpose: 'password_reset',
  userId: 'ana',
  email: 'ana@example.com',
  ttlMs: 100,
} as const;

describe.each(STORE_ENGINES)('mailed links on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
    await t.addUser('ana');
  });
  afterEach(() => t.close());

  it('keeps only the hash, voids the earlier link of the purpose, and spends a link once', async () => {
    const first = await t.store.actionTokens.issue(reset, 1);
    expect(first.row.tokenHash).toBe(hashActionToken(first.token));
    const second = await t.store.actionTokens.issue(reset, 2, (row) => ({
      action: 'password_reset_requested',
      actorId: null,
      target: row.userId,
      ip: null,
    }));
    expect(
      await t.store.actionTokens.findUsable(first.token, ['password_reset'], 3),
    ).toBeUndefined();
    expect(
      await t.store.actionTokens.findUsable(second.token, ['set_password'], 3),
    ).toBeUndefined();
    expect(
      await t.store.actionTokens.findUsable(second.token, ['password_reset'], 102),
    ).toBeUndefined();
    const spend = { token: second.token, purposes: ['password_reset'] as const };
    expect(
      await t.store.actionTokens.consume({ ...spend, email: 'x@example.com' }, 3),
    ).toBeUndefined();
    expect(await t.store.actionTokens.consume(spend, 3)).toMatchObject({ usedAt: 3 });
    expect(await t.store.actionTokens.consume(spend, 4)).toBeUndefined();
    expect((await t.auditEntries()).map((e) => e.target)).toEqual(['ana']);
  });

  it('voids a user’s links of some purposes and prunes spent ones after the retention', async () => {
    const link = await t.store.actionTokens.issue(reset, 1);
    await t.store.actionTokens.issue({ ...reset, purpose: 'email_verification' }, 1);
    expect(
      await t.store.actionTokens.voidForUser('ana', ['password_reset', 'set_password'], 2),
    ).toBe(1);
    expect(
      await t.store.actionTokens.findUsable(link.token, ['password_reset'], 2),
    ).toBeUndefined();
    expect(await t.store.actionTokens.prune(1 + ACTION_TOKEN_RETENTION_MS - 1)).toBe(0);
    expect(await t.store.actionTokens.prune(1 + ACTION_TOKEN_RETENTION_MS)).toBe(2);
  });

  it('issues at most the cap, recording each outcome', async () => {
    const cap = { max: 2, sinceMs: 0 };
    const audit = (outcome: string) => ({
      action: 'password_reset_requested',
      actorId: null,
      target: 'ana',
      ip: null,
      detail: { outcome },
    });
    const outcomes = [];
    for (let i = 0; i < 3; i += 1)
      outcomes.push((await t.store.actionTokens.issueWithinCap(reset, cap, 10 + i, audit)).outcome);
    expect(outcomes).toEqual(['issued', 'issued', 'capped']);
    expect((await t.auditEntries()).map((e) => e.detail)).toEqual([
      { outcome: 'issued' },
      { outcome: 'issued' },
      { outcome: 'capped' },
    ]);
  });

  it('issues exactly the cap, and leaves one live link, when 8 requests race over two replicas', async () => {
    const replicas = [t.store, await t.replica()];
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        replicas[i % 2]!.actionTokens.issueWithinCap(reset, { max: 3, sinceMs: 0 }, 10),
      ),
    );
    const issued = results.flatMap((r) => (r.outcome === 'issued' ? [r.token] : []));
    expect(issued).toHaveLength(3);
    const live = [];
    for (const token of issued)
      if (await t.store.actionTokens.findUsable(token, ['password_reset'], 11)) live.push(token);
    expect(live).toHaveLength(1);
  });

  it('lets exactly one of two replicas spend the same link', async () => {
    const other = await t.replica();
    const link = await t.store.actionTokens.issue(reset, 1);
    const spend = { token: link.token, purposes: ['password_reset'] as const };
    const spent = await Promise.all([
      t.store.actionTokens.consume(spend, 2),
      other.actionTokens.consume(spend, 2),
    ]);
    expect(spent.filter((row) => row !== undefined)).toHaveLength(1);
  });
});
