import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDatabase } from '../testing.ts';
import {
  insertRefreshTokenFamily,
  revokeRefreshFamily,
  rotateRefreshToken,
} from './refresh-tokens.ts';
import { findSignedInUser, insertUser } from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
let userId: string;

beforeEach(() => {
  database = openTempDatabase();
  userId = insertUser(
    database.db,
    { email: 'r@example.org', fullName: 'R', passwordHash: 'h' },
    0,
  )!.id;
});
afterEach(() => database.remove());

const rotation = (presentedHash: string, nextHash: string) => ({
  presentedHash,
  nextHash,
  nextExpiresAt: 10_000,
});

describe('refresh token rotation', () => {
  it('spends the presented token and links its successor into the same family', () => {
    const first = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'h1', expiresAt: 10_000 },
      100,
    );
    const result = rotateRefreshToken(database.db, rotation('h1', 'h2'), 200);
    expect(result.status).toBe('rotated');
    if (result.status !== 'rotated') return;
    expect(result.token).toMatchObject({
      familyId: first.familyId,
      parentId: first.id,
      tokenHash: 'h2',
      revokedAt: null,
      createdAt: 200,
    });
    expect(findSignedInUser(database.db, userId, first.familyId, 300)?.id).toBe(userId);
  });

  it('treats a replayed token as theft: the whole family is revoked', () => {
    const first = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'h1', expiresAt: 10_000 },
      100,
    );
    rotateRefreshToken(database.db, rotation('h1', 'h2'), 200);
    expect(rotateRefreshToken(database.db, rotation('h1', 'h3'), 300)).toEqual({
      status: 'reused',
      userId,
      familyId: first.familyId,
    });
    expect(rotateRefreshToken(database.db, rotation('h2', 'h4'), 400).status).toBe('revoked');
    expect(findSignedInUser(database.db, userId, first.familyId, 500)).toBeUndefined();
  });

  it('leaves other families alone', () => {
    const phone = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'phone', expiresAt: 10_000 },
      100,
    );
    const laptop = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'laptop', expiresAt: 10_000 },
      100,
    );
    expect(revokeRefreshFamily(database.db, userId, phone.familyId, 200)).toBe(1);
    expect(findSignedInUser(database.db, userId, laptop.familyId, 300)?.id).toBe(userId);
    expect(rotateRefreshToken(database.db, rotation('laptop', 'laptop2'), 300).status).toBe(
      'rotated',
    );
  });

  it('does not count a family as signed in once its last token has expired', () => {
    const family = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'brief', expiresAt: 1_000 },
      100,
    );
    expect(findSignedInUser(database.db, userId, family.familyId, 999)?.id).toBe(userId);
    expect(findSignedInUser(database.db, userId, family.familyId, 1_000)).toBeUndefined();
  });

  it("does not sign a user in on another user's family", () => {
    const family = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'theirs', expiresAt: 10_000 },
      100,
    );
    const other = insertUser(
      database.db,
      { email: 'o@example.org', fullName: 'O', passwordHash: 'h' },
      0,
    )!;
    expect(findSignedInUser(database.db, other.id, family.familyId, 200)).toBeUndefined();
  });

  it('does not let another user revoke a family', () => {
    const family = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'mine', expiresAt: 10_000 },
      100,
    );
    expect(revokeRefreshFamily(database.db, 'someone-else', family.familyId, 200)).toBe(0);
    expect(findSignedInUser(database.db, userId, family.familyId, 300)?.id).toBe(userId);
  });

  it('refuses unknown and expired tokens, ending an expired family', () => {
    const old = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'old', expiresAt: 1_000 },
      100,
    );
    expect(rotateRefreshToken(database.db, rotation('nope', 'x'), 200).status).toBe('unknown');
    expect(rotateRefreshToken(database.db, rotation('old', 'y'), 1_000).status).toBe('expired');
    const rows = database.db.query.refreshTokens.findMany().sync();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: old.id, revokedAt: 1_000 });
  });

  it('tells a signed-out token apart from a replayed one', () => {
    const family = insertRefreshTokenFamily(
      database.db,
      { userId, tokenHash: 'out', expiresAt: 10_000 },
      100,
    );
    revokeRefreshFamily(database.db, userId, family.familyId, 200);
    expect(rotateRefreshToken(database.db, rotation('out', 'z'), 300).status).toBe('revoked');
  });
});
