import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '@attune/db';
import { linkIn, nextMailAbout } from '../../testing/mailed-link.ts';
import { type SmtpSink, startSmtpSink } from '../../testing/smtp-sink.ts';
import {
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

const VERIFY_SUBJECT = /^Confirm your email address for Attune$/;
const NOTICE_SUBJECT = /^Your Attune email address is being changed$/;
const MAX_FAILURES = 3;

let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ SMTP_URL: sink.url, LOGIN_MAX_FAILURES: String(MAX_FAILURES) });
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const patchMe = (accessToken: string, body: unknown) =>
  server.fetch('/auth/me', {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
    body: JSON.stringify(body),
  });

interface UserBody {
  email: string;
  full_name: string;
  email_verified: boolean;
  pending_email: string | null;
}

const freshEmail = (name: string) => `${name}-${Date.now()}-${Math.random()}@example.org`;

/** A registered user whose sign-up verification mail has been read (so later mails are the test's). */
async function signedUp(): Promise<RegisteredUser> {
  const user = await registerUser(server);
  await nextMailAbout(sink, user.email, VERIFY_SUBJECT);
  return user;
}

describe('PATCH /auth/me', () => {
  it('changes the name without a password', async () => {
    const user = await signedUp();
    const response = await patchMe(user.accessToken, { full_name: '  Grace Hopper ' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ full_name: 'Grace Hopper', email: user.email });
    const me = (await (await authedGet(server, '/auth/me', user.accessToken)).json()) as UserBody;
    expect(me.full_name).toBe('Grace Hopper');
    const [entry] = listAuditEntries(server.database.db, {
      action: 'profile_updated',
      userId: user.id,
      limit: 5,
    }).entries;
    expect(JSON.parse(entry!.detail!)).toEqual({ fields: ['full_name'] });
  });

  it('moves the account to a new address only once the link mailed there is opened, and tells the old one', async () => {
    const user = await signedUp();
    const newEmail = freshEmail('moved');
    const response = await patchMe(user.accessToken, {
      email: newEmail.toUpperCase(),
      current_password: user.password,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      email: user.email,
      pending_email: newEmail,
      email_verified: false,
    });

    const notice = await nextMailAbout(sink, user.email, NOTICE_SUBJECT);
    expect(notice.links).toEqual([]);
    expect(notice.text).not.toContain(newEmail);
    const { token } = linkIn(await nextMailAbout(sink, newEmail, VERIFY_SUBJECT), 'verify-email');

    // Until then the old address signs in.
    expect(
      (await jsonPost(server, '/auth/login', { email: newEmail, password: user.password })).status,
    ).toBe(401);
    expect((await jsonPost(server, '/auth/email/verify', { token })).status).toBe(204);
    const me = (await (await authedGet(server, '/auth/me', user.accessToken)).json()) as UserBody;
    expect(me).toMatchObject({ email: newEmail, pending_email: null, email_verified: true });
    expect(
      (await jsonPost(server, '/auth/login', { email: newEmail, password: user.password })).status,
    ).toBe(200);
    expect(
      (await jsonPost(server, '/auth/login', { email: user.email, password: user.password }))
        .status,
    ).toBe(401);

    const audit = JSON.stringify(
      listAuditEntries(server.database.db, { userId: user.id, limit: 100 }).entries,
    );
    expect(audit).toContain('email_change_requested');
    expect(audit).not.toContain(newEmail);
    expect(audit).not.toContain(token);
  });

  it('needs the current password: missing → 400, wrong → 401 through the login throttle', async () => {
    const user = await signedUp();
    const target = freshEmail('wanted');
    const missing = await patchMe(user.accessToken, { email: target });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({
      error: { code: 'validation_failed', issues: [{ path: 'current_password' }] },
    });
    for (let i = 0; i < MAX_FAILURES; i += 1) {
      const wrong = await patchMe(user.accessToken, {
        email: target,
        current_password: 'not my password',
      });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ error: { code: 'invalid_password' } });
    }
    const throttled = await patchMe(user.accessToken, {
      email: target,
      current_password: user.password,
    });
    expect(throttled.status).toBe(429);
    expect(await throttled.json()).toMatchObject({ error: { code: 'login_throttled' } });
    const me = (await (await authedGet(server, '/auth/me', user.accessToken)).json()) as UserBody;
    expect(me.pending_email).toBeNull();
    await server.settled();
    expect(sink.messages.some((m) => m.envelope.to.includes(target))).toBe(false);
  });

  it('answers 409 email_taken for an address another account holds, asked for or taken meanwhile', async () => {
    const user = await signedUp();
    const other = await signedUp();
    const taken = await patchMe(user.accessToken, {
      email: other.email,
      current_password: user.password,
    });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: 'email_taken' } });

    const wanted = freshEmail('raced');
    expect(
      (await patchMe(user.accessToken, { email: wanted, current_password: user.password })).status,
    ).toBe(200);
    const { token } = linkIn(await nextMailAbout(sink, wanted, VERIFY_SUBJECT), 'verify-email');
    await registerUser(server, { email: wanted });
    const late = await jsonPost(server, '/auth/email/verify', { token });
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ error: { code: 'email_taken' } });
    const me = (await (await authedGet(server, '/auth/me', user.accessToken)).json()) as UserBody;
    expect(me).toMatchObject({ email: user.email, pending_email: null });
  });

  it('drops a pending change when asked for the current address, and the pending link stops working', async () => {
    const user = await signedUp();
    const wanted = freshEmail('changed-mind');
    await patchMe(user.accessToken, { email: wanted, current_password: user.password });
    const { token } = linkIn(await nextMailAbout(sink, wanted, VERIFY_SUBJECT), 'verify-email');
    const cancelled = await patchMe(user.accessToken, { email: user.email });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ email: user.email, pending_email: null });
    expect((await jsonPost(server, '/auth/email/verify', { token })).status).toBe(400);
  });

  it('is for members: guests get 403, nobody signed in 401; bad bodies 400', async () => {
    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as {
      access_token: string;
    };
    expect((await patchMe(guest.access_token, { full_name: 'Not a guest' })).status).toBe(403);
    const anonymous = await server.fetch('/auth/me', {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: '{"full_name":"x"}',
    });
    expect(anonymous.status).toBe(401);

    const user = await signedUp();
    for (const body of [
      {},
      { current_password: user.password },
      { full_name: '' },
      { full_name: 'a\u0000b' },
      { email: 'not an address', current_password: user.password },
      { role: 'admin', full_name: 'x' },
    ]) {
      const response = await patchMe(user.accessToken, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});
