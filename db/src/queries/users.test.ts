import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTempDatabase } from '../testing.ts';
import {
  countNonGuestUsers,
  createUserWithoutPassword,
  insertUser,
  markEmailVerified,
  recordSuccessfulLogin,
  updateFullName,
} from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
beforeEach(() => {
  database = openTempDatabase();
});
afterEach(() => database.remove());

const user = (email: string, role: 'user' | 'guest' | 'moderator' = 'user') =>
  insertUser(database.db, { email, fullName: email, passwordHash: 'h', role }, 0)!;

describe('countNonGuestUsers', () => {
  it('counts every account but guests', () => {
    user('a@example.org');
    user('m@example.org', 'moderator');
    user('g@guests.attune.invalid', 'guest');
    createUserWithoutPassword(
      database.db,
      { email: 'n@example.org', fullName: 'N', role: 'user' },
      0,
    );
    expect(countNonGuestUsers(database.db)).toBe(3);
  });
});

describe('createUserWithoutPassword', () => {
  it('makes an account with no password hash, unverified, that no sign-in can complete', () => {
    const created = createUserWithoutPassword(
      database.db,
      { email: 'new@example.org', fullName: 'New', role: 'analyst' },
      7,
    );
    expect(created).toMatchObject({
      passwordHash: null,
      role: 'analyst',
      createdAt: 7,
      emailVerifiedAt: null,
    });
    // A verified hash never equals NULL in SQL: the stamp is refused whatever hash is presented.
    expect(
      recordSuccessfulLogin(database.db, { userId: created!.id, verifiedHash: '' }, 8),
    ).toBeUndefined();
  });

  it('answers undefined when the email is taken', () => {
    user('a@example.org');
    expect(
      createUserWithoutPassword(
        database.db,
        { email: 'a@example.org', fullName: 'A', role: 'user' },
        0,
      ),
    ).toBeUndefined();
  });
});

describe('markEmailVerified and updateFullName', () => {
  it('stamps the first verification only, and renames', () => {
    const a = user('a@example.org');
    expect(markEmailVerified(database.db, a.id, 5)?.emailVerifiedAt).toBe(5);
    expect(markEmailVerified(database.db, a.id, 9)?.emailVerifiedAt).toBe(5);
    expect(updateFullName(database.db, a.id, 'Alice B')?.fullName).toBe('Alice B');
    expect(updateFullName(database.db, 'nobody', 'X')).toBeUndefined();
  });
});
