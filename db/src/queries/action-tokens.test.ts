import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { actionTokens } from '../schema.ts';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import {
  ACTION_TOKEN_RETENTION_MS,
  consumeActionToken,
  countActionTokensSince,
  findUsableActionToken,
  hashActionToken,
  issueActionToken,
  pruneActionTokens,
} from './action-tokens.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
beforeEach(() => {
  database = openTempDatabase();
  [alice] = insertTestUsers(database.db, 'alice') as [string];
});
afterEach(() => database.remove());

const reset = (nowMs: number, ttlMs = 30 * 60_000) =>
  issueActionToken(
    database.db,
    { purpose: 'password_reset', userId: alice, email: 'alice@example.org', ttlMs },
    nowMs,
  );
const consume = (token: string, nowMs: number, email?: string) =>
  consumeActionToken(
    database.db,
    { token, purposes: ['password_reset'], ...(email ? { email } : {}) },
    nowMs,
  );

describe('issueActionToken', () => {
  it('stores only the SHA-256 (hex) of a 256-bit token', () => {
    const { token, row } = reset(1_000);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(row.tokenHash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(hashActionToken(token)).toBe(row.tokenHash);
    const stored = JSON.stringify(database.db.select().from(actionTokens).all());
    expect(stored).not.toContain(token);
    expect(row).toMatchObject({ createdAt: 1_000, expiresAt: 1_000 + 30 * 60_000, usedAt: null });
  });

  it("voids the user's earlier unused tokens of the same purpose, not those of another purpose", () => {
    const first = reset(1_000);
    const verify = issueActionToken(
      database.db,
      { purpose: 'email_verification', userId: alice, email: 'alice@example.org', ttlMs: 60_000 },
      1_000,
    );
    const second = reset(2_000);
    expect(consume(first.token, 3_000)).toBeUndefined();
    expect(consume(second.token, 3_000)?.id).toBe(second.row.id);
    expect(
      findUsableActionToken(database.db, verify.token, ['email_verification'], 3_000)?.id,
    ).toBe(verify.row.id);
  });

  it("voids an address's earlier invitations (they have no user)", () => {
    const invite = (nowMs: number) =>
      issueActionToken(
        database.db,
        {
          purpose: 'invitation',
          userId: null,
          email: 'new@example.org',
          role: 'analyst',
          ttlMs: 60_000,
        },
        nowMs,
      );
    const first = invite(1_000);
    const second = invite(2_000);
    expect(second.row).toMatchObject({ userId: null, role: 'analyst' });
    const accept = (token: string) =>
      consumeActionToken(
        database.db,
        { token, purposes: ['invitation'], email: 'new@example.org' },
        3_000,
      );
    expect(accept(first.token)).toBeUndefined();
    expect(accept(second.token)?.id).toBe(second.row.id);
  });
});

describe('consumeActionToken', () => {
  it('spends a token exactly once, before it expires, for its own purpose and address only', () => {
    const { token, row } = reset(1_000, 10_000);
    expect(
      consumeActionToken(database.db, { token, purposes: ['set_password'] }, 2_000),
    ).toBeUndefined();
    expect(consume(token, 2_000, 'someone-else@example.org')).toBeUndefined();
    expect(consume('not-a-token', 2_000)).toBeUndefined();
    expect(consume(token, 2_000, 'alice@example.org')).toMatchObject({ id: row.id, usedAt: 2_000 });
    expect(consume(token, 2_001)).toBeUndefined();

    const late = reset(5_000, 10_000);
    expect(consume(late.token, 15_000)).toBeUndefined();
    expect(findUsableActionToken(database.db, late.token, ['password_reset'], 14_999)?.id).toBe(
      late.row.id,
    );
  });
});

describe('countActionTokensSince and pruneActionTokens', () => {
  it('counts tokens made for an address since a time, used or voided ones included', () => {
    reset(1_000);
    reset(2_000);
    const last = reset(3_000);
    consume(last.token, 3_500);
    const count = (sinceMs: number) =>
      countActionTokensSince(database.db, {
        email: 'alice@example.org',
        purpose: 'password_reset',
        sinceMs,
      });
    expect(count(0)).toBe(3);
    expect(count(2_000)).toBe(2);
  });

  it('deletes spent and expired tokens past the retention, and keeps usable ones', () => {
    const spent = reset(0);
    consume(spent.token, 1_000);
    issueActionToken(
      database.db,
      { purpose: 'invitation', userId: null, email: 'x@example.org', ttlMs: 7 * 86_400_000 },
      0,
    );
    issueActionToken(
      database.db,
      { purpose: 'email_verification', userId: alice, email: 'alice@example.org', ttlMs: 1_000 },
      0,
    );
    expect(pruneActionTokens(database.db, ACTION_TOKEN_RETENTION_MS - 1)).toBe(0);
    expect(pruneActionTokens(database.db, ACTION_TOKEN_RETENTION_MS)).toBe(2);
    expect(
      database.db
        .select()
        .from(actionTokens)
        .all()
        .map((r) => r.purpose),
    ).toEqual(['invitation']);
  });
});
