import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase } from '../testing.ts';
import { countOtherActiveAdmins, searchUsers } from './admin.ts';
import { findExpiredGuests, setUserRole, setUserStatus } from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
beforeEach(() => {
  database = openTempDatabase();
});
afterEach(() => database.remove());

describe('admin queries', () => {
  it('counts the other active admins, for the last-admin guard', () => {
    const [a, b, c] = insertTestUsers(database.db, 'a', 'b', 'c') as [string, string, string];
    setUserRole(database.db, a, 'admin');
    expect(countOtherActiveAdmins(database.db, a)).toBe(0);
    setUserRole(database.db, b, 'admin');
    expect(countOtherActiveAdmins(database.db, a)).toBe(1);
    setUserStatus(database.db, b, 'suspended');
    expect(countOtherActiveAdmins(database.db, a)).toBe(0);
    expect(countOtherActiveAdmins(database.db, c)).toBe(1);
  });

  it('searches users by email or name, treating LIKE wildcards literally', () => {
    insertTestUsers(database.db, 'ada_lovelace', 'grace', 'adam');
    expect(
      searchUsers(database.db, { search: 'ADA', limit: 10 })
        .users.map((u) => u.fullName)
        .sort(),
    ).toEqual(['ada_lovelace', 'adam']);
    expect(
      searchUsers(database.db, { search: '_', limit: 10 }).users.map((u) => u.fullName),
    ).toEqual(['ada_lovelace']);
    expect(searchUsers(database.db, { search: '%', limit: 10 }).users).toEqual([]);
  });

  it('finds only real guest accounts for clean-up, not an account whose role says guest', () => {
    const [regular] = insertTestUsers(database.db, 'regular') as [string];
    setUserRole(database.db, regular, 'guest');
    expect(findExpiredGuests(database.db, Date.now())).toEqual([]);
  });
});
