import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createUserWithoutPassword,
  findUserByEmail,
  issueActionToken,
  listAuditEntries,
} from '@attune/db';
import { emailDigest } from '../../auth/lockout.ts';
import { linkIn, nextMailAbout } from '../../testing/mailed-link.ts';
import { type SmtpSink, startSmtpSink } from '../../testing/smtp-sink.ts';
import {
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

const FORGOT_BODY = {
  message: 'If an account exists for that address, we sent a link to reset its password.',
};
const RESET_SUBJECT = /^Reset your Attune password$/;
const MAX_FAILURES = 3;

let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({
    SMTP_URL: sink.url,
    PUBLIC_URL: 'https://attune.example.org',
    LOGIN_MAX_FAILURES: String(MAX_FAILURES),
  });
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const forgot = (email: string) => jsonPost(server, '/auth/password/forgot', { email });
const reset = (token: string, newPassword: string) =>
  jsonPost(server, '/auth/password/reset', { token, new_password: newPassword });
const login = (email: string, password: string) =>
  jsonPost(server, '/auth/login', { email, password });

async function resetTokenFor(email: string) {
  expect((await forgot(email)).status).toBe(202);
  const mail = await nextMailAbout(sink, email, RESET_SUBJECT);
  return linkIn(mail, 'reset-password');
}

const auditOf = (action: string) =>
  listAuditEntries(server.database.db, { action, limit: 500 }).entries;

describe('forgot → mail → reset', () => {
  it('sets the new password, signs every device out, and spends the link', async () => {
    const user = await registerUser(server);
    const secondDevice = (await (await login(user.email, user.password)).json()) as {
      refresh_token: string;
    };

    const forgotten = await forgot(user.email.toUpperCase());
    expect(forgotten.status).toBe(202);
    expect(await forgotten.json()).toEqual(FORGOT_BODY);
    const mail = await nextMailAbout(sink, user.email, RESET_SUBJECT);
    const { link, token } = linkIn(mail, 'reset-password');
    expect(link.startsWith('https://attune.example.org/reset-password#token=')).toBe(true);
    expect(mail.text).toContain('within 30 minutes');

    expect((await reset(token, 'a brand new password')).status).toBe(204);

    // Every device is signed out: both refresh tokens and the access token are refused.
    for (const refresh of [user.refreshToken, secondDevice.refresh_token])
      expect((await jsonPost(server, '/auth/refresh', { refresh_token: refresh })).status).toBe(
        401,
      );
    expect((await authedGet(server, '/auth/me', user.accessToken)).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(401);
    expect((await login(user.email, 'a brand new password')).status).toBe(200);

    const reused = await reset(token, 'yet another password');
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await login(user.email, 'a brand new password')).status).toBe(200);
  });

  it('refuses a link older than 30 minutes, and an unknown token, with 400 invalid_token', async () => {
    const user = await registerUser(server);
    const { token } = await resetTokenFor(user.email);
    server.advanceClock(30 * 60_000 + 1000);
    const expired = await reset(token, 'too late a password');
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await login(user.email, user.password)).status).toBe(200);
    const unknown = await reset('A'.repeat(43), 'some new password');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_token' } });
  });

  it('only the latest link works', async () => {
    const user = await registerUser(server);
    const first = await resetTokenFor(user.email);
    const second = await resetTokenFor(user.email);
    expect((await reset(first.token, 'first new password')).status).toBe(400);
    expect((await reset(second.token, 'second new password')).status).toBe(204);
  });

  it('lifts the login throttle of the account', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < MAX_FAILURES; i += 1)
      expect((await login(user.email, 'a wrong password')).status).toBe(401);
    expect((await login(user.email, user.password)).status).toBe(429);
    const { token } = await resetTokenFor(user.email);
    expect((await reset(token, 'unthrottled password')).status).toBe(204);
    expect((await login(user.email, 'unthrottled password')).status).toBe(200);
  });

  it('gives an account created without a password its first one, and proves its address', async () => {
    const email = `no-password-${Date.now()}@example.org`;
    createUserWithoutPassword(
      server.database.db,
      { email, fullName: 'Made By Admin', role: 'user' },
      Date.now(),
    );
    const { token } = await resetTokenFor(email);
    expect((await reset(token, 'my first password')).status).toBe(204);
    const signedIn = await login(email, 'my first password');
    expect(signedIn.status).toBe(200);
    expect(((await signedIn.json()) as { user: { email_verified: boolean } }).user).toMatchObject({
      email_verified: true,
    });
  });

  it('keeps the new password to the sign-up rules, and a refused one leaves the link usable', async () => {
    const user = await registerUser(server);
    const { token } = await resetTokenFor(user.email);
    const short = await reset(token, 'short');
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ error: { code: 'validation_failed' } });
    expect((await reset(token, 'long enough now')).status).toBe(204);
  });
});

describe('a new password voids the password links mailed before it', () => {
  it('a reset link stops working once the password is changed through POST /me/password', async () => {
    const user = await registerUser(server);
    const { token } = await resetTokenFor(user.email);
    const changed = await jsonPost(
      server,
      '/me/password',
      { current_password: user.password, new_password: 'changed while signed in' },
      user.accessToken,
    );
    expect(changed.status).toBe(204);
    const late = await reset(token, 'an attacker password');
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await login(user.email, 'changed while signed in')).status).toBe(200);
  });

  it('an admin’s set-password link stops working once a reset link set the password', async () => {
    const email = `set-password-${Date.now()}@example.org`;
    const made = createUserWithoutPassword(
      server.database.db,
      { email, fullName: 'Made By Admin', role: 'user' },
      Date.now(),
    )!;
    const setPassword = issueActionToken(
      server.database.db,
      { purpose: 'set_password', userId: made.id, email, ttlMs: 7 * 24 * 60 * 60_000 },
      Date.now(),
    ).token;
    const { token } = await resetTokenFor(email);
    expect((await reset(token, 'chosen through forgot')).status).toBe(204);
    const late = await reset(setPassword, 'an attacker password');
    expect(late.status).toBe(400);
    expect(await late.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect((await login(email, 'chosen through forgot')).status).toBe(200);
  });
});

describe('a new password drops a pending email change', () => {
  const VERIFY_SUBJECT = /^Confirm your email address for Attune$/;
  const me = async (accessToken: string) =>
    (await (await authedGet(server, '/auth/me', accessToken)).json()) as {
      email: string;
      pending_email: string | null;
    };

  /** Someone who knows the password asks to move the account to their address and keeps the link. */
  async function attackerAsksForTheirAddress(user: { accessToken: string; password: string }) {
    const attackerEmail = `attacker-${Date.now()}-${Math.random()}@example.org`;
    const patched = await server.fetch('/auth/me', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.accessToken}` },
      body: JSON.stringify({ email: attackerEmail, current_password: user.password }),
    });
    expect(patched.status).toBe(200);
    const mail = await nextMailAbout(sink, attackerEmail, VERIFY_SUBJECT);
    return { attackerEmail, kept: linkIn(mail, 'verify-email').token };
  }

  async function expectKeptLinkRefused(kept: string, email: string, accessToken: string) {
    const verified = await jsonPost(server, '/auth/email/verify', { token: kept });
    expect(verified.status).toBe(400);
    expect(await verified.json()).toMatchObject({ error: { code: 'invalid_token' } });
    expect(await me(accessToken)).toMatchObject({ email, pending_email: null });
  }

  it('after a reset, the kept verification link is refused and the address stays', async () => {
    const user = await registerUser(server);
    const { kept } = await attackerAsksForTheirAddress(user);
    const { token } = await resetTokenFor(user.email);
    expect((await reset(token, 'the owner’s new password')).status).toBe(204);
    const signedIn = (await (await login(user.email, 'the owner’s new password')).json()) as {
      access_token: string;
    };
    await expectKeptLinkRefused(kept, user.email, signedIn.access_token);
  });

  it('after POST /me/password, the kept verification link is refused and the address stays', async () => {
    const user = await registerUser(server);
    const { kept } = await attackerAsksForTheirAddress(user);
    const changed = await jsonPost(
      server,
      '/me/password',
      { current_password: user.password, new_password: 'the owner’s new password' },
      user.accessToken,
    );
    expect(changed.status).toBe(204);
    await expectKeptLinkRefused(kept, user.email, user.accessToken);
  });
});

describe('no account enumeration', () => {
  it('answers an unknown address exactly like a known one, and mails nobody', async () => {
    const known = await registerUser(server);
    const unknownEmail = `nobody-${Date.now()}@example.org`;
    const answers = [];
    for (const email of [known.email, unknownEmail]) {
      const response = await forgot(email);
      answers.push({
        status: response.status,
        type: response.headers.get('content-type'),
        body: await response.text(),
      });
    }
    expect(answers[1]).toEqual(answers[0]);
    await server.settled();
    expect(sink.messages.some((m) => m.envelope.to.includes(unknownEmail))).toBe(false);
    const mail = await nextMailAbout(sink, known.email, RESET_SUBJECT);
    await server.settled();
    // An address with no account writes no audit row (anyone could grow the log with them);
    // the known one writes exactly one, naming neither the address nor the token in clear.
    const digestOf = (e: { detail: string | null }) =>
      (JSON.parse(e.detail!) as { email_sha256: string }).email_sha256;
    const requests = auditOf('password_reset_requested');
    expect(requests.filter((e) => digestOf(e) === emailDigest(unknownEmail))).toEqual([]);
    const forKnown = requests.filter((e) => e.target === known.id);
    expect(forKnown).toHaveLength(1);
    expect(forKnown[0]).toMatchObject({ actorId: null, target: known.id });
    expect(JSON.parse(forKnown[0]!.detail!)).toEqual({
      email_sha256: emailDigest(known.email),
      outcome: 'mailed',
    });
    const row = JSON.stringify(forKnown[0]);
    expect(row).not.toContain(known.email);
    expect(row).not.toContain(linkIn(mail, 'reset-password').token);
  });

  it('answers before the mail is sent: a slow mail server does not slow the answer', async () => {
    const slowSink = await startSmtpSink({ replyDelayMs: 1500 });
    const slow = await startTestServer({ SMTP_URL: slowSink.url });
    try {
      const user = await registerUser(slow);
      const started = performance.now();
      const response = await jsonPost(slow, '/auth/password/forgot', { email: user.email });
      expect(response.status).toBe(202);
      expect(performance.now() - started).toBeLessThan(1000);
      await nextMailAbout(slowSink, user.email, RESET_SUBJECT);
    } finally {
      await slow.close();
      await slowSink.close();
    }
  });

  it('mails a guest nothing, and audits nothing', async () => {
    const guest = await jsonPost(server, '/auth/guest', {});
    const { user } = (await guest.json()) as { user: { id: string; email: string } };
    expect((await forgot(user.email)).status).toBe(202);
    await server.settled();
    expect(sink.messages.some((m) => m.envelope.to.includes(user.email))).toBe(false);
    expect(auditOf('password_reset_requested').filter((e) => e.target === user.id)).toEqual([]);
  });
});

describe('the per-address cap', () => {
  it('mails at most 3 links an hour to one address, silently, and again after the hour', async () => {
    const user = await registerUser(server);
    for (let i = 0; i < 5; i += 1) {
      const response = await forgot(user.email);
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual(FORGOT_BODY);
    }
    await server.settled();
    const resetMails = () =>
      sink.messages.filter(
        (m) => m.envelope.to.includes(user.email) && RESET_SUBJECT.test(m.subject),
      );
    expect(resetMails()).toHaveLength(3);
    const outcomes = auditOf('password_reset_requested')
      .filter((e) => e.target === user.id)
      .map((e) => (JSON.parse(e.detail!) as { outcome: string }).outcome);
    expect(outcomes.sort()).toEqual(['capped', 'capped', 'mailed', 'mailed', 'mailed']);

    server.advanceClock(60 * 60_000 + 1000);
    expect((await forgot(user.email)).status).toBe(202);
    await server.settled();
    expect(resetMails()).toHaveLength(4);
  });
});

describe('the audit', () => {
  it('records requests and resets without the address or the token in clear', async () => {
    const user = await registerUser(server);
    const { token } = await resetTokenFor(user.email);
    expect((await reset(token, 'audited new password')).status).toBe(204);
    const requested = auditOf('password_reset_requested').find((e) => e.target === user.id);
    expect(JSON.parse(requested!.detail!)).toEqual({
      email_sha256: emailDigest(user.email),
      outcome: 'mailed',
    });
    const [done] = auditOf('password_reset').filter((e) => e.target === user.id);
    expect(done).toMatchObject({ actorId: user.id, target: user.id });
    expect(JSON.parse(done!.detail!)).toEqual({ purpose: 'password_reset' });
    const everything = JSON.stringify(
      listAuditEntries(server.database.db, { userId: user.id, limit: 500 }).entries,
    );
    expect(everything).not.toContain(user.email);
    expect(everything).not.toContain(token);
    expect(server.logs.join('\n')).not.toContain(token);
  });
});

describe('bad input', () => {
  it('answers 400 JSON to malformed bodies and writes nothing', async () => {
    for (const [path, body] of [
      ['/auth/password/forgot', { email: 'not an address' }],
      ['/auth/password/forgot', {}],
      ['/auth/password/forgot', { email: 'a@example.org', extra: 1 }],
      ['/auth/password/reset', { token: '', new_password: 'long enough pw' }],
      ['/auth/password/reset', { token: 'x'.repeat(300), new_password: 'long enough pw' }],
      ['/auth/password/reset', { token: 'abc' }],
    ] as const) {
      const response = await jsonPost(server, path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
    const broken = await server.fetch('/auth/password/reset', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"token":',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { code: 'invalid_json' } });
    expect(findUserByEmail(server.database.db, 'a@example.org')).toBeUndefined();
  });
});
