import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import {
  resetPasswordWithToken,
  setPasswordAndSignOutEverywhere,
  verifyEmailWithToken,
} from './account-recovery.ts';
import { issueActionToken } from './action-tokens.ts';
import { setPendingEmail } from './email-change.ts';
import { claimLoginAttempt, loginThrottleBlockedUntil } from './login-throttle.ts';
import { insertRefreshTokenFamily } from './refresh-tokens.ts';
import { createUserWithoutPassword, findSignedInUser, findUserById } from './users.ts';

const policy = {
  maxFailures: 2,
  lockoutMs: 60_000,
  accountFailures: 10,
  accountMaxDelayMs: 60_000,
};
let database: ReturnType<typeof openTempDatabase>;
let alice: string;
beforeEach(() => {
  database = openTempDatabase();
  [alice] = insertTestUsers(database.db, 'alice') as [string];
});
afterEach(() => database.remove());

/** Alice signed in on two devices and blocked from one IP; returns the devices' family ids. */
function signedInAndBlocked(): string[] {
  const families = ['phone', 'laptop'].map(
    (tokenHash) =>
      insertRefreshTokenFamily(database.db, { userId: alice, tokenHash, expiresAt: 1e9 }, 0)
        .familyId,
  );
  for (let i = 0; i < 2; i += 1)
    claimLoginAttempt(database.db, { email: 'alice@example.org', ipKey: 'ip:1' }, policy, 100);
  expect(loginThrottleBlockedUntil(database.db, 'alice@example.org', 200)).not.toBeNull();
  return families;
}

function expectSignedOutEverywhereAndUnblocked(families: string[]) {
  for (const family of families)
    expect(findSignedInUser(database.db, alice, family, 300)).toBeUndefined();
  expect(loginThrottleBlockedUntil(database.db, 'alice@example.org', 300)).toBeNull();
}

const issue = (
  purpose: 'password_reset' | 'set_password' | 'email_verification',
  userId: string,
  email: string,
) => issueActionToken(database.db, { purpose, userId, email, ttlMs: 60_000 }, 0).token;

describe('setPasswordAndSignOutEverywhere', () => {
  it('sets the hash, revokes every device and clears the throttle', () => {
    const families = signedInAndBlocked();
    expect(setPasswordAndSignOutEverywhere(database.db, alice, 'new-hash', 200)?.passwordHash).toBe(
      'new-hash',
    );
    expectSignedOutEverywhereAndUnblocked(families);
    expect(setPasswordAndSignOutEverywhere(database.db, 'nobody', 'x', 200)).toBeUndefined();
  });

  it('voids every unused reset and set-password link', () => {
    const resetLink = issue('password_reset', alice, 'alice@example.org');
    const setLink = issue('set_password', alice, 'alice@example.org');
    setPasswordAndSignOutEverywhere(database.db, alice, 'new-hash', 200);
    for (const token of [resetLink, setLink])
      expect(resetPasswordWithToken(database.db, { token, passwordHash: 'x' }, 300)).toEqual({
        status: 'invalid_token',
      });
    expect(findUserById(database.db, alice)?.passwordHash).toBe('new-hash');
  });

  it('drops a pending email change and voids its verification link', () => {
    setPendingEmail(database.db, alice, 'attacker@example.org');
    const kept = issue('email_verification', alice, 'attacker@example.org');
    expect(setPasswordAndSignOutEverywhere(database.db, alice, 'new-hash', 200)).toMatchObject({
      pendingEmail: null,
    });
    expect(verifyEmailWithToken(database.db, kept, 300)).toEqual({ status: 'invalid_token' });
    expect(findUserById(database.db, alice)).toMatchObject({
      email: 'alice@example.org',
      pendingEmail: null,
    });
  });

  it('keeps one device signed in, and writes nothing when the password is no longer the expected one', () => {
    const [phone, laptop] = signedInAndBlocked() as [string, string];
    expect(
      setPasswordAndSignOutEverywhere(database.db, alice, 'stale', 200, {
        ifPasswordHashIs: 'not-the-hash',
      }),
    ).toBeUndefined();
    expect(findUserById(database.db, alice)?.passwordHash).toBe('unused');
    expect(findSignedInUser(database.db, alice, phone, 300)).toBeDefined();
    setPasswordAndSignOutEverywhere(database.db, alice, 'new-hash', 200, {
      keepFamilyId: phone,
      ifPasswordHashIs: 'unused',
    });
    expect(findSignedInUser(database.db, alice, phone, 300)).toBeDefined();
    expect(findSignedInUser(database.db, alice, laptop, 300)).toBeUndefined();
  });
});

describe('resetPasswordWithToken', () => {
  it('spends a reset token once: sets the password, signs out everywhere, clears the throttle', () => {
    const families = signedInAndBlocked();
    const token = issue('password_reset', alice, 'alice@example.org');
    expect(
      resetPasswordWithToken(database.db, { token, passwordHash: 'new-hash' }, 200),
    ).toMatchObject({
      status: 'password_set',
      purpose: 'password_reset',
      user: { id: alice, passwordHash: 'new-hash' },
    });
    expectSignedOutEverywhereAndUnblocked(families);
    expect(resetPasswordWithToken(database.db, { token, passwordHash: 'other' }, 250)).toEqual({
      status: 'invalid_token',
    });
    expect(findUserById(database.db, alice)?.passwordHash).toBe('new-hash');
  });

  it('drops a pending email change: its kept verification link no longer moves the account', () => {
    setPendingEmail(database.db, alice, 'attacker@example.org');
    const kept = issue('email_verification', alice, 'attacker@example.org');
    const token = issue('password_reset', alice, 'alice@example.org');
    expect(
      resetPasswordWithToken(database.db, { token, passwordHash: 'new-hash' }, 200),
    ).toMatchObject({
      status: 'password_set',
      user: { pendingEmail: null },
    });
    expect(verifyEmailWithToken(database.db, kept, 300)).toEqual({ status: 'invalid_token' });
    expect(findUserById(database.db, alice)?.email).toBe('alice@example.org');
  });

  it('refuses an expired token, a token of another purpose, and one mailed to a former address', () => {
    const expired = issue('password_reset', alice, 'alice@example.org');
    expect(
      resetPasswordWithToken(database.db, { token: expired, passwordHash: 'x' }, 60_000).status,
    ).toBe('invalid_token');
    const verification = issue('email_verification', alice, 'alice@example.org');
    expect(
      resetPasswordWithToken(database.db, { token: verification, passwordHash: 'x' }, 1).status,
    ).toBe('invalid_token');
    const stale = issue('password_reset', alice, 'former@example.org');
    expect(resetPasswordWithToken(database.db, { token: stale, passwordHash: 'x' }, 1).status).toBe(
      'invalid_token',
    );
    expect(findUserById(database.db, alice)?.passwordHash).toBe('unused');
  });

  it('sets the first password of an account made without one, and marks its address verified', () => {
    const made = createUserWithoutPassword(
      database.db,
      { email: 'new@example.org', fullName: 'New', role: 'user' },
      0,
    )!;
    const token = issue('set_password', made.id, 'new@example.org');
    expect(
      resetPasswordWithToken(database.db, { token, passwordHash: 'first' }, 500),
    ).toMatchObject({
      status: 'password_set',
      purpose: 'set_password',
      user: { passwordHash: 'first', emailVerifiedAt: 500 },
    });
  });
});

describe('verifyEmailWithToken', () => {
  it('marks the current address verified', () => {
    const token = issue('email_verification', alice, 'alice@example.org');
    expect(verifyEmailWithToken(database.db, token, 700)).toMatchObject({
      status: 'verified',
      user: { email: 'alice@example.org', emailVerifiedAt: 700 },
    });
    expect(verifyEmailWithToken(database.db, token, 800)).toEqual({ status: 'invalid_token' });
  });

  it('moves a pending address into the email', () => {
    setPendingEmail(database.db, alice, 'new@example.org');
    const token = issue('email_verification', alice, 'new@example.org');
    expect(verifyEmailWithToken(database.db, token, 700)).toMatchObject({
      status: 'verified',
      user: { email: 'new@example.org', pendingEmail: null, emailVerifiedAt: 700 },
    });
  });

  it('answers email_taken when another account took the pending address meanwhile', () => {
    setPendingEmail(database.db, alice, 'new@example.org');
    const token = issue('email_verification', alice, 'new@example.org');
    insertTestUsers(database.db, 'new');
    expect(verifyEmailWithToken(database.db, token, 700)).toEqual({ status: 'email_taken' });
    expect(findUserById(database.db, alice)).toMatchObject({
      email: 'alice@example.org',
      pendingEmail: null,
    });
  });

  it('refuses a link for an address the account neither has nor waits for', () => {
    setPendingEmail(database.db, alice, 'first@example.org');
    const token = issue('email_verification', alice, 'first@example.org');
    setPendingEmail(database.db, alice, 'alice@example.org');
    expect(verifyEmailWithToken(database.db, token, 700)).toEqual({ status: 'invalid_token' });
  });
});
