import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertTestUsers, openTempDatabase, snapshotTables } from '../testing.ts';
import {
  type HistoryCursor,
  type HistoryGroup,
  deleteConversationHistory,
  deleteUserWithPasswordHash,
  exportUserData,
  listHistoryPage,
  listLiveDevices,
  signOutDevice,
} from './account.ts';
import { insertAuditEntry } from './audit-log.ts';
import { insertConversationTurn } from './conversation-turns.ts';
import { savePreference } from './preferences.ts';
import {
  insertRefreshTokenFamily,
  revokeUserRefreshFamilies,
  rotateRefreshToken,
} from './refresh-tokens.ts';
import { openUserSession } from './user-sessions.ts';
import { findUserById } from './users.ts';

let database: ReturnType<typeof openTempDatabase>;
let alice: string;
let bob: string;

beforeEach(() => {
  database = openTempDatabase();
  [alice, bob] = insertTestUsers(database.db, 'alice', 'bob') as [string, string];
});
afterEach(() => database.remove());

const session = (userId: string, room: string, nowMs = 1) =>
  openUserSession(database.db, { userId, roomName: room, participantIdentity: userId }, nowMs)!.id;
const turn = (
  userId: string,
  sessionId: string | null,
  text: string,
  atMs: number,
  role: 'user' | 'assistant' = 'user',
) => insertConversationTurn(database.db, { userId, sessionId, role, text }, atMs);
const family = (
  userId: string,
  hash: string,
  nowMs: number,
  expiresAt = 10_000,
  userAgent: string | null = null,
) =>
  insertRefreshTokenFamily(
    database.db,
    { userId, tokenHash: hash, expiresAt, userAgent, ip: '10.0.0.1' },
    nowMs,
  );

const summary = (groups: HistoryGroup[]) =>
  groups.map((g) => [g.sessionId, g.startedAt, g.turns.map((t) => t.text)]);

function allPages(userId: string, limit: number): HistoryGroup[][] {
  const pages: HistoryGroup[][] = [];
  let after: HistoryCursor | undefined;
  for (;;) {
    const page = listHistoryPage(database.db, userId, { limit, after });
    pages.push(page.groups);
    if (!page.next) return pages;
    after = page.next;
  }
}

describe('listHistoryPage', () => {
  it('groups the user’s turns by session, newest session first, turns oldest first; sessionless turns form one group', () => {
    const s1 = session(alice, 'r1');
    const s2 = session(alice, 'r2');
    turn(alice, s1, 'one-a', 100);
    turn(alice, s1, 'one-b', 110, 'assistant');
    turn(alice, null, 'loose-a', 150);
    turn(alice, s2, 'two-a', 300);
    turn(alice, null, 'loose-b', 400);
    turn(alice, s1, 'one-c', 500);
    const bobSession = session(bob, 'rb');
    turn(bob, bobSession, 'bob', 200);
    turn(bob, null, 'bob-loose', 120);

    const page = listHistoryPage(database.db, alice, { limit: 10 });
    expect(summary(page.groups)).toEqual([
      [s2, 300, ['two-a']],
      [null, 150, ['loose-a', 'loose-b']],
      [s1, 100, ['one-a', 'one-b', 'one-c']],
    ]);
    expect(page.next).toBeNull();
    expect(page.groups[0]!.turns[0]).toMatchObject({ userId: alice, role: 'user', createdAt: 300 });
  });

  it('pages through every group exactly once, also when groups start at the same time', () => {
    const ids = ['r1', 'r2', 'r3', 'r4', 'r5'].map((room) => session(alice, room));
    ids.forEach((id, i) => turn(alice, id, `t${i}`, i < 3 ? 100 : 200 + i)); // three groups tie at 100
    turn(alice, null, 'loose', 100); // and the sessionless group too
    turn(bob, null, 'bob', 100);

    const pages = allPages(alice, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 2]);
    const seen = pages.flat().map((g) => g.sessionId);
    expect(new Set(seen).size).toBe(6);
    expect(seen.slice(0, 2)).toEqual([ids[4], ids[3]]);
    expect(pages.flat().flatMap((g) => g.turns.map((t) => t.userId))).toEqual(Array(6).fill(alice));
    const starts = pages.flat().map((g) => g.startedAt);
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
  });

  it('is empty for a user without turns', () => {
    turn(bob, null, 'bob', 1);
    expect(listHistoryPage(database.db, alice, { limit: 5 })).toEqual({ groups: [], next: null });
  });
});

describe('deleteConversationHistory', () => {
  it('deletes every turn of the user and nothing else', () => {
    const s = session(alice, 'r1');
    turn(alice, s, 'a', 1);
    turn(alice, null, 'b', 2);
    turn(bob, null, 'c', 3);
    savePreference(
      database.db,
      { userId: alice, key: 'units', value: 'metric', maxPerUser: 10 },
      1,
    );
    expect(deleteConversationHistory(database.db, alice)).toBe(2);
    const tables = snapshotTables(database.db);
    expect(tables.conversation_turns).toMatchObject([{ userId: bob, text: 'c' }]);
    expect(tables.user_preferences).toHaveLength(1);
    expect(tables.user_sessions).toHaveLength(1);
  });
});

describe('devices', () => {
  it('lists live families only, with the first sign-in time and the latest token’s details', () => {
    const phone = family(alice, 'h-phone', 100, 10_000, 'phone');
    rotateRefreshToken(
      database.db,
      {
        presentedHash: 'h-phone',
        nextHash: 'h-phone-2',
        nextExpiresAt: 20_000,
        userAgent: 'phone 2',
      },
      500,
    );
    const laptop = family(alice, 'h-laptop', 200, 10_000, 'laptop');
    const revoked = family(alice, 'h-old', 50);
    signOutDevice(database.db, alice, revoked.familyId, 60);
    family(alice, 'h-expired', 10, 999); // expired at 999
    family(bob, 'h-bob', 300);

    expect(listLiveDevices(database.db, alice, 1_000)).toEqual([
      {
        familyId: phone.familyId,
        createdAt: 100,
        lastUsedAt: 500,
        expiresAt: 20_000,
        userAgent: 'phone 2',
        ip: '10.0.0.1',
      },
      {
        familyId: laptop.familyId,
        createdAt: 200,
        lastUsedAt: 200,
        expiresAt: 10_000,
        userAgent: 'laptop',
        ip: '10.0.0.1',
      },
    ]);
    expect(listLiveDevices(database.db, alice, 20_000)).toEqual([]);
  });

  it('signs out only a live family of the same user', () => {
    const mine = family(alice, 'h-a', 100);
    const bobs = family(bob, 'h-b', 100);
    const expired = family(alice, 'h-x', 100, 500);
    const before = snapshotTables(database.db);
    expect(signOutDevice(database.db, alice, bobs.familyId, 1_000)).toBe(false);
    expect(signOutDevice(database.db, alice, expired.familyId, 1_000)).toBe(false);
    expect(signOutDevice(database.db, alice, 'no-such-family', 1_000)).toBe(false);
    expect(snapshotTables(database.db)).toEqual(before);
    expect(signOutDevice(database.db, alice, mine.familyId, 1_000)).toBe(true);
    expect(signOutDevice(database.db, alice, mine.familyId, 1_001)).toBe(false);
    expect(listLiveDevices(database.db, alice, 1_000)).toEqual([]);
    expect(listLiveDevices(database.db, bob, 1_000).map((d) => d.familyId)).toEqual([
      bobs.familyId,
    ]);
  });

  it('revokes every other family of the user, keeping one', () => {
    const keep = family(alice, 'h-1', 100);
    family(alice, 'h-2', 100);
    family(alice, 'h-3', 100);
    const bobs = family(bob, 'h-b', 100);
    expect(revokeUserRefreshFamilies(database.db, alice, 200, keep.familyId)).toBe(2);
    expect(listLiveDevices(database.db, alice, 300).map((d) => d.familyId)).toEqual([
      keep.familyId,
    ]);
    expect(listLiveDevices(database.db, bob, 300).map((d) => d.familyId)).toEqual([bobs.familyId]);
  });
});

describe('deleteUserWithPasswordHash', () => {
  it('deletes nothing when the hash changed, and the user with every row that refers to them otherwise', () => {
    const s = session(alice, 'r1');
    turn(alice, s, 'hello', 5);
    family(alice, 'h-a', 1);
    savePreference(
      database.db,
      { userId: alice, key: 'units', value: 'metric', maxPerUser: 10 },
      1,
    );
    session(bob, 'rb');
    const before = snapshotTables(database.db);
    expect(deleteUserWithPasswordHash(database.db, alice, 'another hash')).toBe(false);
    expect(deleteUserWithPasswordHash(database.db, bob.replace(/./, 'x'), 'unused')).toBe(false);
    expect(snapshotTables(database.db)).toEqual(before);

    expect(deleteUserWithPasswordHash(database.db, alice, 'unused')).toBe(true);
    expect(findUserById(database.db, alice)).toBeUndefined();
    expect(JSON.stringify(snapshotTables(database.db))).not.toContain(alice);
    expect(findUserById(database.db, bob)).toBeDefined();
    expect(snapshotTables(database.db).user_sessions).toHaveLength(1);
  });
});

describe('exportUserData', () => {
  it('holds every row about the user, as stored, without secrets, and nothing of other users', () => {
    const s = session(alice, 'r1', 7);
    turn(alice, s, 'hello', 8);
    turn(alice, null, 'loose', 9, 'assistant');
    family(alice, 'secret-hash-a', 1, 10_000, 'ua');
    rotateRefreshToken(
      database.db,
      { presentedHash: 'secret-hash-a', nextHash: 'secret-hash-a2', nextExpiresAt: 20_000 },
      2,
    );
    savePreference(
      database.db,
      { userId: alice, key: 'units', value: 'metric', maxPerUser: 10 },
      3,
    );
    insertAuditEntry(
      database.db,
      { action: 'login_success', actorId: alice, target: alice, ip: '1.2.3.4', detail: { x: 1 } },
      4,
    );
    insertAuditEntry(
      database.db,
      { action: 'role_change', actorId: bob, target: alice, ip: null },
      5,
    );
    insertAuditEntry(
      database.db,
      { action: 'login_success', actorId: bob, target: bob, ip: null },
      6,
    );
    turn(bob, null, 'bob', 10);
    family(bob, 'secret-hash-b', 1);

    const exported = exportUserData(database.db, alice)!;
    const text = JSON.stringify(exported);
    expect(text).not.toContain('secret-hash');
    expect(text).not.toContain('password_hash');
    expect(text).not.toContain('unused'); // the test users' password hash
    // Bob made an entry about Alice: it is exported without who made it; none of his rows are here.
    expect(text).not.toContain(bob);
    expect(exported.auditLog.find((e) => e.action === 'role_change')).toMatchObject({
      actor_id: null,
      target: alice,
      ip: null,
    });
    expect(text).not.toContain('"bob"');
    expect(exported.user).toMatchObject({
      id: alice,
      email: 'alice@example.org',
      full_name: 'alice',
      role: 'user',
      status: 'active',
      created_at: 0,
      last_login: null,
      email_verified_at: null,
      pending_email: null,
    });
    expect(exported.preferences).toEqual([
      { user_id: alice, key: 'units', value: 'metric', updated_at: 3 },
    ]);
    expect(
      exported.conversationTurns.map((t) => [t.session_id, t.text, t.role, t.created_at]),
    ).toEqual([
      [s, 'hello', 'user', 8],
      [null, 'loose', 'assistant', 9],
    ]);
    expect(exported.sessions).toMatchObject([
      { id: s, user_id: alice, room_name: 'r1', issued_at: 7, status: 'issued' },
    ]);
    expect(exported.rooms).toEqual([{ name: 'r1', owner_id: alice, created_at: 7 }]);
    expect(exported.refreshTokens).toHaveLength(2);
    expect(exported.refreshTokens[1]).toMatchObject({
      user_id: alice,
      parent_id: exported.refreshTokens[0]!.id,
      created_at: 2,
      revoked_at: null,
    });
    expect(exported.auditLog.map((e) => [e.action, e.actor_id, e.target, e.detail])).toEqual([
      ['login_success', alice, alice, '{"x":1}'],
      ['role_change', null, alice, null],
    ]);
  });

  it('is undefined for an unknown user', () => {
    expect(exportUserData(database.db, 'nobody')).toBeUndefined();
  });
});
