import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import { confirmPendingEmail, setPendingEmail } from './email-change.ts';
import { findUserById } from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;
beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

describe('setPendingEmail', () => {
  it('keeps the new address pending, refuses one another account holds, and drops a change back to the own address', () => {
    expect(setPendingEmail(database.db, alice, 'new@example.org')).toMatchObject({
      status: 'pending',
      user: { email: 'alice@example.org', pendingEmail: 'new@example.org' },
    });
    expect(setPendingEmail(database.db, alice, 'bob@example.org')).toEqual({
      status: 'email_taken',
    });
    expect(findUserById(database.db, alice)?.pendingEmail).toBe('new@example.org');
    expect(setPendingEmail(database.db, alice, 'alice@example.org')).toMatchObject({
      status: 'unchanged',
      user: { pendingEmail: null },
    });
    expect(setPendingEmail(database.db, 'nobody', 'x@example.org')).toEqual({
      status: 'unknown_user',
    });
  });
});

describe('confirmPendingEmail', () => {
  it('makes the pending address the email, verified now', () => {
    setPendingEmail(database.db, alice, 'new@example.org');
    expect(confirmPendingEmail(database.db, alice, 'new@example.org', 5_000)).toMatchObject({
      status: 'confirmed',
      user: { email: 'new@example.org', pendingEmail: null, emailVerifiedAt: 5_000 },
    });
  });

  it('refuses an address that is not the pending one', () => {
    setPendingEmail(database.db, alice, 'first@example.org');
    setPendingEmail(database.db, alice, 'second@example.org');
    expect(confirmPendingEmail(database.db, alice, 'first@example.org', 5_000)).toEqual({
      status: 'not_pending',
    });
    expect(findUserById(database.db, alice)?.email).toBe('alice@example.org');
  });

  it('refuses (and drops the change) when another account took the address meanwhile', () => {
    setPendingEmail(database.db, alice, 'wanted@example.org');
    setPendingEmail(database.db, bob, 'wanted@example.org');
    expect(confirmPendingEmail(database.db, bob, 'wanted@example.org', 5_000).status).toBe(
      'confirmed',
    );
    expect(confirmPendingEmail(database.db, alice, 'wanted@example.org', 6_000)).toEqual({
      status: 'email_taken',
    });
    expect(findUserById(database.db, alice)).toMatchObject({
      email: 'alice@example.org',
      pendingEmail: null,
    });
  });
});
