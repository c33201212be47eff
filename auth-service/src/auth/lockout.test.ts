import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserById, listAuditEntries, setUserStatus } from '@attune/db';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import {
  type RegisteredUser,
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';
import { emailDigest } from './lockout.ts';

const MAX_FAILURES = 3;
const LOCKOUT_MINUTES = 15;

let server: TestServer;
let verifyCalls = 0;
beforeAll(async () => {
  server = await startTestServer(
    { LOGIN_MAX_FAILURES: String(MAX_FAILURES), LOGIN_LOCKOUT_MINUTES: String(LOCKOUT_MINUTES) },
    {
      wrapPasswords: (real): PasswordHasher => ({
        ...real,
        verify: (password, hash) => {
          verifyCalls += 1;
          return real.verify(password, hash);
        },
      }),
    },
  );
});
afterAll(async () => {
  await server.close();
});

const login = (email: string, password: string) =>
  jsonPost(server, '/auth/login', { email, password });

/** Status, body and headers of an answer, without the fields that differ on every response. */
async function answerOf(response: Response) {
  const headers = Object.fromEntries(
    [...response.headers].filter(
      ([name]) => !/^(date|x-request-id|ratelimit-.*|content-length)$/.test(name),
    ),
  );
  return { status: response.status, body: await response.text(), headers };
}

async function failTimes(user: RegisteredUser, times: number) {
  for (let i = 0; i < times; i += 1)
    expect((await login(user.email, 'a wrong password')).status).toBe(401);
}

const userRow = (user: RegisteredUser) => findUserById(server.database.db, user.id)!;
const auditOf = (action: string, userId?: string) =>
  listAuditEntries(server.database.db, { action, userId, limit: 100 }).entries;

describe('account lockout', () => {
  it(`locks after ${MAX_FAILURES} consecutive failures, refuses even the right password, and lets it in after ${LOCKOUT_MINUTES} minutes`, async () => {
    const user = await registerUser(server);
    await failTimes(user, MAX_FAILURES - 1);
    expect(userRow(user)).toMatchObject({ failedLogins: MAX_FAILURES - 1, lockedUntil: null });
    await failTimes(user, 1);
    expect(userRow(user).lockedUntil).toBeGreaterThan(
      Date.now() + (LOCKOUT_MINUTES * 60_000 - 60_000),
    );

    const refused = await login(user.email, user.password);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({
      error: { code: 'invalid_credentials', message: 'Email or password is incorrect' },
    });

    server.advanceClock(LOCKOUT_MINUTES * 60_000 - 5_000);
    expect((await login(user.email, user.password)).status).toBe(401);
    server.advanceClock(5_000);
    const admitted = await login(user.email, user.password);
    expect(admitted.status).toBe(200);
    expect(userRow(user)).toMatchObject({ failedLogins: 0, lockedUntil: null });
  });

  it('counts only consecutive failures: a successful login resets the count', async () => {
    const user = await registerUser(server);
    await failTimes(user, MAX_FAILURES - 1);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect(userRow(user).failedLogins).toBe(0);
    await failTimes(user, MAX_FAILURES - 1);
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('gives a failure after an expired lock a fresh count', async () => {
    const user = await registerUser(server);
    await failTimes(user, MAX_FAILURES);
    server.advanceClock(LOCKOUT_MINUTES * 60_000);
    await failTimes(user, 1);
    expect(userRow(user)).toMatchObject({ failedLogins: 1, lockedUntil: null });
    expect((await login(user.email, user.password)).status).toBe(200);
  });

  it('answers an unknown email, a wrong password and a locked account with the right password alike, after the same bcrypt work', async () => {
    const open = await registerUser(server);
    const locked = await registerUser(server);
    await failTimes(locked, MAX_FAILURES);
    const lockedAndSuspended = await registerUser(server);
    await failTimes(lockedAndSuspended, MAX_FAILURES);
    setUserStatus(server.database.db, lockedAndSuspended.id, 'suspended');

    const before = verifyCalls;
    const answers = [
      await answerOf(await login('nobody-at-all@example.org', 'a good password')),
      await answerOf(await login(open.email, 'a wrong password')),
      await answerOf(await login(locked.email, locked.password)),
      await answerOf(await login(locked.email, 'a wrong password')),
      // Neither the lock nor the suspension may tell that this password is right.
      await answerOf(await login(lockedAndSuspended.email, lockedAndSuspended.password)),
    ];
    expect(verifyCalls - before).toBe(answers.length);
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({
      status: 401,
      body: JSON.stringify({
        error: { code: 'invalid_credentials', message: 'Email or password is incorrect' },
      }),
    });
  });

  it('counts concurrent wrong passwords atomically and locks exactly once', async () => {
    const user = await registerUser(server);
    const attempts = MAX_FAILURES * 4;
    const statuses = await Promise.all(
      Array.from({ length: attempts }, () =>
        login(user.email, 'a wrong password').then((r) => r.status),
      ),
    );
    expect(statuses).toEqual(Array(attempts).fill(401));
    expect(userRow(user).failedLogins).toBe(MAX_FAILURES);
    expect(userRow(user).lockedUntil).not.toBeNull();
    expect(auditOf('lockout', user.id)).toHaveLength(1);
    expect(auditOf('login_failure', user.id)).toHaveLength(attempts);
  });
});

describe('the login audit', () => {
  it('records failures without the email in clear, the lockout, and successes', async () => {
    const user = await registerUser(server, { email: `Audit-${Date.now()}@Example.org` });
    const normalised = user.email.toLowerCase();
    const digest = createHash('sha256').update(normalised).digest('hex');
    expect(emailDigest(` ${user.email} `)).toBe(digest);

    await failTimes(user, MAX_FAILURES);
    const failures = auditOf('login_failure', user.id);
    expect(failures).toHaveLength(MAX_FAILURES);
    for (const entry of failures) {
      expect(entry).toMatchObject({ actorId: null, target: user.id, ip: '127.0.0.1' });
      expect(entry.detail).not.toContain(normalised);
      expect(JSON.parse(entry.detail!)).toMatchObject({
        reason: 'wrong_password',
        email_sha256: digest,
      });
    }
    expect(JSON.parse(failures[0]!.detail!)).toMatchObject({ failed_logins: MAX_FAILURES });
    const [lockout] = auditOf('lockout', user.id);
    expect(lockout).toMatchObject({ target: user.id, ip: '127.0.0.1' });
    expect(JSON.parse(lockout!.detail!)).toEqual({
      failed_logins: MAX_FAILURES,
      locked_until: userRow(user).lockedUntil,
    });
    expect(
      server.logs.some(
        (line) => line.includes('account locked after failed logins') && line.includes(user.id),
      ),
    ).toBe(true);

    await login(user.email, user.password);
    expect(JSON.parse(auditOf('login_failure', user.id)[0]!.detail!)).toEqual({
      reason: 'locked',
      email_sha256: digest,
    });

    const unknownEmail = `Nobody-${Date.now()}@Example.org`;
    await login(unknownEmail, 'a good password');
    const [unknown] = listAuditEntries(server.database.db, {
      action: 'login_failure',
      limit: 1,
    }).entries;
    expect(unknown).toMatchObject({ actorId: null, target: null });
    expect(JSON.parse(unknown!.detail!)).toEqual({
      reason: 'unknown_email',
      email_sha256: emailDigest(unknownEmail),
    });
    expect(unknown!.detail).not.toMatch(/nobody/i);

    server.advanceClock(LOCKOUT_MINUTES * 60_000);
    expect((await login(user.email, user.password)).status).toBe(200);
    expect(auditOf('login_success', user.id)[0]).toMatchObject({
      actorId: user.id,
      target: user.id,
      ip: '127.0.0.1',
    });
  });
});
