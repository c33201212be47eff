import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDatabase } from '../testing.ts';
import { isAccountLocked, recordFailedLogin } from './login-attempts.ts';
import { findUserById, insertUser, recordSuccessfulLogin } from './users.ts';

const policy = { maxFailures: 3, lockoutMs: 60_000 };
let database: ReturnType<typeof openTempDatabase>;
let userId: string;

beforeEach(() => {
  database = openTempDatabase();
  userId = insertUser(
    database.db,
    { email: 'l@example.org', fullName: 'L', passwordHash: 'h' },
    0,
  )!.id;
});
afterEach(() => database.remove());

describe('recordFailedLogin', () => {
  it('counts consecutive failures and locks the account when the threshold is reached', () => {
    expect(recordFailedLogin(database.db, userId, policy, 1_000)).toEqual({
      failedLogins: 1,
      lockedUntil: null,
    });
    expect(recordFailedLogin(database.db, userId, policy, 2_000)).toEqual({
      failedLogins: 2,
      lockedUntil: null,
    });
    expect(recordFailedLogin(database.db, userId, policy, 3_000)).toEqual({
      failedLogins: 3,
      lockedUntil: 63_000,
    });
    expect(isAccountLocked(findUserById(database.db, userId)!, 62_999)).toBe(true);
    expect(isAccountLocked(findUserById(database.db, userId)!, 63_000)).toBe(false);
  });

  it('changes nothing while the account is locked (the lock is not extended)', () => {
    for (let i = 0; i < 3; i += 1) recordFailedLogin(database.db, userId, policy, 1_000);
    expect(recordFailedLogin(database.db, userId, policy, 30_000)).toBeUndefined();
    expect(findUserById(database.db, userId)).toMatchObject({
      failedLogins: 3,
      lockedUntil: 61_000,
    });
  });

  it('starts a fresh count once the lock has run out', () => {
    for (let i = 0; i < 3; i += 1) recordFailedLogin(database.db, userId, policy, 1_000);
    expect(recordFailedLogin(database.db, userId, policy, 61_000)).toEqual({
      failedLogins: 1,
      lockedUntil: null,
    });
  });

  it('answers undefined for an unknown user', () => {
    expect(recordFailedLogin(database.db, 'nobody', policy, 1_000)).toBeUndefined();
  });

  it('locks exactly once when failures race (each UPDATE sees the previous one)', () => {
    const outcomes = Array.from({ length: 10 }, () =>
      recordFailedLogin(database.db, userId, policy, 5_000),
    );
    expect(outcomes.filter((o) => o?.lockedUntil != null)).toHaveLength(1);
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(7);
  });
});

describe('recordSuccessfulLogin and the lock', () => {
  const login = { userId: '', verifiedHash: 'h' };

  it('refuses a login while locked, and clears the counter on a login after the lock', () => {
    for (let i = 0; i < 3; i += 1) recordFailedLogin(database.db, userId, policy, 1_000);
    expect(recordSuccessfulLogin(database.db, { ...login, userId }, 60_999)).toBeUndefined();
    expect(recordSuccessfulLogin(database.db, { ...login, userId }, 61_000)).toMatchObject({
      failedLogins: 0,
      lockedUntil: null,
      lastLogin: 61_000,
    });
  });

  it('resets the count of an account that was not locked', () => {
    recordFailedLogin(database.db, userId, policy, 1_000);
    recordFailedLogin(database.db, userId, policy, 2_000);
    recordSuccessfulLogin(database.db, { ...login, userId }, 3_000);
    expect(recordFailedLogin(database.db, userId, policy, 4_000)).toEqual({
      failedLogins: 1,
      lockedUntil: null,
    });
  });
});
