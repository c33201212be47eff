import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listAuditEntries,
  loginThrottle,
  loginThrottleBlockedUntil,
  sqliteStore,
} from '@attune/db';
import type { PasswordHasher } from '../passwords/password-hasher.ts';
import {
  type RegisteredUser,
  type TestServer,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';
import { KNOWN_DEVICE_COOKIE_NAME } from './known-device-cookie.ts';
import { clearLoginThrottle, emailDigest } from './lockout.ts';

const MAX_FAILURES = 3;
const LOCKOUT_MINUTES = 15;
const ACCOUNT_FAILURES = 20;
const ACCOUNT_MAX_SECONDS = 60;

let server: TestServer;
let verifyCalls = 0;
/** What `clearLoginThrottle` needs, on the test server's database. */
const throttleDeps = () => ({ store: sqliteStore(server.database), now: Date.now });
beforeAll(async () => {
  server = await startTestServer(
    {
      LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOGIN_LOCKOUT_MINUTES: String(LOCKOUT_MINUTES),
      LOGIN_ACCOUNT_THROTTLE_FAILURES: String(ACCOUNT_FAILURES),
      LOGIN_ACCOUNT_THROTTLE_MAX_SECONDS: String(ACCOUNT_MAX_SECONDS),
      // The test client stands in for a proxy: X-Forwarded-For names the client IP.
      TRUSTED_PROXIES: '127.0.0.1',
    },
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

let ipCounter = 0;
/** A client IP no other test uses. */
const freshIp = () => {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250)}.${(ipCounter % 250) + 1}`;
};

const login = (email: string, password: string, ip: string, headers: Record<string, string> = {}) =>
  server.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: JSON.stringify({ email, password }),
  });

/** A sign-in in the browser mode, presenting a known-device id when given one. */
const browserLogin = (email: string, password: string, ip: string, deviceId?: string) =>
  login(email, password, ip, {
    'x-refresh-cookie': '1',
    ...(deviceId === undefined ? {} : { cookie: `${KNOWN_DEVICE_COOKIE_NAME}=${deviceId}` }),
  });

/** The known-device Set-Cookie line of a response, if any. */
const deviceCookieOf = (response: Response) =>
  response.headers.getSetCookie().find((line) => line.startsWith(`${KNOWN_DEVICE_COOKIE_NAME}=`));

/** Starts the account-wide delay: `ACCOUNT_FAILURES` wrong passwords, each from a fresh IP. */
async function armAccountDelay(email: string) {
  for (let i = 0; i < ACCOUNT_FAILURES; i += 1) await failTimes(email, 1, freshIp());
}

/** Status, body and the headers that matter of an answer (not those that differ on every response). */
async function answerOf(response: Response) {
  const headers = Object.fromEntries(
    [...response.headers].filter(
      ([name]) => !/^(date|x-request-id|ratelimit-.*|content-length)$/.test(name),
    ),
  );
  return { status: response.status, body: await response.text(), headers };
}

async function failTimes(email: string, times: number, ip: string) {
  for (let i = 0; i < times; i += 1)
    expect((await login(email, 'a wrong password', ip)).status).toBe(401);
}

const auditOf = (action: string, userId?: string) =>
  listAuditEntries(server.database.db, { action, userId, limit: 200 }).entries;

async function expectThrottled(response: Response, maxSeconds: number) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(maxSeconds);
  expect(await response.json()).toEqual({
    error: {
      code: 'login_throttled',
      message: `Too many failed sign-ins; try again in ${retryAfter} s, or reset your password`,
    },
  });
  return retryAfter;
}

describe('the per-(account, client IP) block', () => {
  it('stops one IP after its failures while the owner signs in from another', async () => {
    const user = await registerUser(server);
    const attacker = freshIp();
    await failTimes(user.email, MAX_FAILURES, attacker);

    // The blocked pair is refused without a password check, even with the right password.
    const before = verifyCalls;
    const retryAfter = await expectThrottled(
      await login(user.email, user.password, attacker),
      LOCKOUT_MINUTES * 60,
    );
    expect(retryAfter).toBeGreaterThan(LOCKOUT_MINUTES * 60 - 60);
    expect(verifyCalls).toBe(before);

    expect((await login(user.email, user.password, freshIp())).status).toBe(200);
    // The owner's success elsewhere does not lift the attacker's block…
    expect((await login(user.email, user.password, attacker)).status).toBe(429);
    // …which ends on its own.
    server.advanceClock(LOCKOUT_MINUTES * 60_000);
    expect((await login(user.email, user.password, attacker)).status).toBe(200);
  });

  it('a successful sign-in clears its pair: only failures since count', async () => {
    const user = await registerUser(server);
    const ip = freshIp();
    await failTimes(user.email, MAX_FAILURES - 1, ip);
    expect((await login(user.email, user.password, ip)).status).toBe(200);
    await failTimes(user.email, MAX_FAILURES - 1, ip);
    expect((await login(user.email, user.password, ip)).status).toBe(200);
  });

  it('checks concurrent guesses from one IP at most the threshold number of times', async () => {
    const user = await registerUser(server);
    const ip = freshIp();
    const before = verifyCalls;
    const statuses = await Promise.all(
      Array.from({ length: MAX_FAILURES * 4 }, () =>
        login(user.email, 'a wrong password', ip).then((r) => r.status),
      ),
    );
    expect(verifyCalls - before).toBe(MAX_FAILURES);
    expect(statuses.filter((s) => s === 401)).toHaveLength(MAX_FAILURES);
    expect(statuses.filter((s) => s === 429)).toHaveLength(MAX_FAILURES * 3);
    expect(auditOf('lockout', user.id)).toHaveLength(1);
  });
});

describe('the account-wide throttle', () => {
  it('holds against guesses spread over many IPs, and the owner gets in after waiting the cap', async () => {
    const user = await registerUser(server);
    const before = verifyCalls;
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const response = await login(user.email, `guess ${i}`, freshIp());
      statuses.push(response.status);
      if (response.status === 429) await expectThrottled(response, ACCOUNT_MAX_SECONDS);
    }
    const checked = verifyCalls - before;
    // The threshold, plus the few the doubling delay lets through while the test runs in real time.
    expect(checked).toBeGreaterThanOrEqual(ACCOUNT_FAILURES);
    expect(checked).toBeLessThanOrEqual(ACCOUNT_FAILURES + 3);
    expect(statuses.slice(0, ACCOUNT_FAILURES)).toEqual(Array(ACCOUNT_FAILURES).fill(401));
    expect(statuses.filter((s) => s === 401)).toHaveLength(checked);
    const wrongPasswords = auditOf('login_failure', user.id).filter(
      (entry) => (JSON.parse(entry.detail!) as { reason: string }).reason === 'wrong_password',
    );
    expect(wrongPasswords).toHaveLength(checked);

    // Even from an address it never signed in from, the owner gets in once the delay ends.
    server.advanceClock(ACCOUNT_MAX_SECONDS * 1000);
    expect((await login(user.email, user.password, freshIp())).status).toBe(200);
  });

  it('is lifted by clearLoginThrottle (admin unlock, password reset)', async () => {
    const user = await registerUser(server);
    const ip = freshIp();
    await failTimes(user.email, MAX_FAILURES, ip);
    for (let i = MAX_FAILURES; i < ACCOUNT_FAILURES; i += 1)
      await failTimes(user.email, 1, freshIp());
    expect((await login(user.email, user.password, ip)).status).toBe(429);
    expect((await login(user.email, user.password, freshIp())).status).toBe(429);
    // Every pair of the email and its account-wide row.
    expect(await clearLoginThrottle(throttleDeps(), user.email)).toBe(
      ACCOUNT_FAILURES - MAX_FAILURES + 2,
    );
    expect(loginThrottleBlockedUntil(server.database.db, user.email, Date.now())).toBeNull();
    expect((await login(user.email, user.password, ip)).status).toBe(200);
  });
});

describe('places the owner signed in from', () => {
  it("keep the owner's known IP in while an attacker keeps re-arming the account-wide delay", async () => {
    const user = await registerUser(server);
    const home = freshIp();
    const first = await login(user.email, user.password, home);
    expect(first.status).toBe(200);
    // A client that is not a browser gets no known-device cookie: its IP is what is remembered.
    expect(deviceCookieOf(first)).toBeUndefined();

    await armAccountDelay(user.email);
    for (let round = 0; round < 6; round += 1) {
      // A fresh IP is refused without a check, even with the right password…
      const before = verifyCalls;
      await expectThrottled(await login(user.email, user.password, freshIp()), ACCOUNT_MAX_SECONDS);
      expect(verifyCalls).toBe(before);
      // …the owner at home is not.
      expect((await login(user.email, user.password, home)).status).toBe(200);
      // The delay ends; one more guess from another fresh IP starts it again.
      server.advanceClock(ACCOUNT_MAX_SECONDS * 1000);
      expect((await login(user.email, `guess ${round}`, freshIp())).status).toBe(401);
    }
    expect(auditOf('login_success', user.id)).toHaveLength(7);
  });

  it('still count wrong passwords from the known IP, whose pair is blocked after its limit', async () => {
    const user = await registerUser(server);
    const home = freshIp();
    expect((await login(user.email, user.password, home)).status).toBe(200);
    await armAccountDelay(user.email);

    await failTimes(user.email, MAX_FAILURES, home);
    const failures = auditOf('login_failure', user.id).slice(0, MAX_FAILURES);
    for (const entry of failures)
      expect(JSON.parse(entry.detail!)).toMatchObject({
        reason: 'wrong_password',
        known_source: 'ip',
      });
    // The pair's own block now refuses even the right password from home, for the lockout time.
    const retryAfter = await expectThrottled(
      await login(user.email, user.password, home),
      LOCKOUT_MINUTES * 60,
    );
    expect(retryAfter).toBeGreaterThan(LOCKOUT_MINUTES * 60 - 60);
    expect(auditOf('lockout', user.id)).toHaveLength(1);
  });

  it('let a browser that signed in before skip the delay from a new IP, by its known-device cookie', async () => {
    const user = await registerUser(server);
    const signedIn = await browserLogin(user.email, user.password, freshIp());
    expect(signedIn.status).toBe(200);
    const line = deviceCookieOf(signedIn);
    expect(line).toBeDefined();
    const [pair = '', ...attributes] = line!.split(';').map((part) => part.trim());
    const deviceId = pair.slice(KNOWN_DEVICE_COOKIE_NAME.length + 1);
    expect(deviceId).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Strict', 'Path=/auth']),
    );
    // Only its digest is stored, never the id itself.
    const stored = server.database.db.select().from(loginThrottle).all();
    expect(stored.some((row) => row.key.includes(deviceId))).toBe(false);

    await armAccountDelay(user.email);
    // The phone, on a network it never used before, with its cookie: in.
    const phone = await browserLogin(user.email, user.password, freshIp(), deviceId);
    expect(phone.status).toBe(200);
    // Without it, or with an id of its own making, a fresh IP waits like everyone else.
    await expectThrottled(
      await browserLogin(user.email, user.password, freshIp()),
      ACCOUNT_MAX_SECONDS,
    );
    await expectThrottled(
      await browserLogin(user.email, user.password, freshIp(), 'x'.repeat(43)),
      ACCOUNT_MAX_SECONDS,
    );
  });

  it('bound a known-device id to a few wrong passwords, from however many IPs', async () => {
    const user = await registerUser(server);
    const signedIn = await browserLogin(user.email, user.password, freshIp());
    const deviceId = deviceCookieOf(signedIn)!.split(';')[0]!.split('=')[1]!;
    await armAccountDelay(user.email);
    // A stolen id gets MAX_FAILURES guesses in all, each from a fresh IP…
    for (let i = 0; i < MAX_FAILURES; i += 1)
      expect((await browserLogin(user.email, `guess ${i}`, freshIp(), deviceId)).status).toBe(401);
    // …then the device is forgotten and waits like any other.
    await expectThrottled(
      await browserLogin(user.email, user.password, freshIp(), deviceId),
      ACCOUNT_MAX_SECONDS,
    );
  });

  it('survive an admin unlock', async () => {
    const user = await registerUser(server);
    const home = freshIp();
    expect((await login(user.email, user.password, home)).status).toBe(200);
    await armAccountDelay(user.email);
    // Every failure row goes (one pair per guessing IP, the account); the known IP stays.
    expect(await clearLoginThrottle(throttleDeps(), user.email)).toBe(ACCOUNT_FAILURES + 1);
    await armAccountDelay(user.email);
    expect((await login(user.email, user.password, home)).status).toBe(200);
  });
});

describe('no account enumeration', () => {
  it('answers a real account with a known IP like an unknown email, from fresh IPs', async () => {
    const known = await registerUser(server);
    expect((await login(known.email, known.password, freshIp())).status).toBe(200);
    const unknownEmail = `nobody-known-${Date.now()}@example.org`;
    async function sequence(email: string) {
      const answers = [];
      for (let i = 0; i < ACCOUNT_FAILURES + 1; i += 1)
        answers.push(await answerOf(await login(email, 'a wrong password', freshIp())));
      return answers;
    }
    const knownRun = await sequence(known.email);
    expect(await sequence(unknownEmail)).toEqual(knownRun);
    expect(knownRun.at(-1)!.status).toBe(429);
  });

  it('answers an unknown email with the same 401/429 sequence and the same bcrypt work as a known one', async () => {
    const known = await registerUser(server);
    const unknownEmail = `nobody-${Date.now()}@example.org`;
    async function sequence(email: string) {
      const ip = freshIp();
      const before = verifyCalls;
      const answers = [];
      for (let i = 0; i < MAX_FAILURES + 2; i += 1)
        answers.push(await answerOf(await login(email, 'a wrong password', ip)));
      return { answers, checks: verifyCalls - before };
    }
    const knownRun = await sequence(known.email);
    const unknownRun = await sequence(unknownEmail);
    expect(unknownRun).toEqual(knownRun);
    expect(knownRun.checks).toBe(MAX_FAILURES);
    expect(knownRun.answers.map((a) => a.status)).toEqual([
      ...(Array(MAX_FAILURES).fill(401) as number[]),
      429,
      429,
    ]);
    expect(knownRun.answers[0]!.body).toBe(
      JSON.stringify({
        error: { code: 'invalid_credentials', message: 'Email or password is incorrect' },
      }),
    );
  });
});

describe('the login audit', () => {
  it('records failures without the email in clear, the block, throttled attempts and successes', async () => {
    const user: RegisteredUser = await registerUser(server, {
      email: `Audit-${Date.now()}@Example.org`,
    });
    const normalised = user.email.toLowerCase();
    const digest = createHash('sha256').update(normalised).digest('hex');
    expect(emailDigest(` ${user.email} `)).toBe(digest);
    const ip = freshIp();

    await failTimes(user.email, MAX_FAILURES, ip);
    const failures = auditOf('login_failure', user.id);
    expect(failures).toHaveLength(MAX_FAILURES);
    for (const entry of failures) {
      expect(entry).toMatchObject({ actorId: null, target: user.id, ip });
      expect(entry.detail).not.toContain(normalised);
      expect(JSON.parse(entry.detail!)).toMatchObject({
        reason: 'wrong_password',
        email_sha256: digest,
      });
    }
    expect(JSON.parse(failures[0]!.detail!)).toMatchObject({ failed_logins: MAX_FAILURES });
    const [lockout] = auditOf('lockout', user.id);
    expect(lockout).toMatchObject({ target: user.id, ip });
    const lockedUntil = loginThrottleBlockedUntil(server.database.db, normalised, Date.now());
    expect(JSON.parse(lockout!.detail!)).toEqual({
      email_sha256: digest,
      failed_logins: MAX_FAILURES,
      locked_until: lockedUntil,
    });
    expect(
      server.logs.some(
        (line) => line.includes('blocked after failed attempts') && line.includes(user.id),
      ),
    ).toBe(true);

    await login(user.email, user.password, ip);
    expect(JSON.parse(auditOf('login_failure', user.id)[0]!.detail!)).toMatchObject({
      reason: 'throttled',
      scope: 'pair',
      email_sha256: digest,
    });

    const unknownEmail = `Nobody-${Date.now()}@Example.org`;
    await login(unknownEmail, 'a good password', freshIp());
    const [unknown] = listAuditEntries(server.database.db, {
      action: 'login_failure',
      limit: 1,
    }).entries;
    expect(unknown).toMatchObject({ actorId: null, target: null });
    expect(JSON.parse(unknown!.detail!)).toMatchObject({
      reason: 'unknown_email',
      email_sha256: emailDigest(unknownEmail),
    });
    expect(unknown!.detail).not.toMatch(/nobody/i);

    expect((await login(user.email, user.password, freshIp())).status).toBe(200);
    expect(auditOf('login_success', user.id)[0]).toMatchObject({
      actorId: user.id,
      target: user.id,
    });
  });
});
