import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '@attune/db';
import { linkIn, nextMailAbout } from '../../testing/mailed-link.ts';
import { type SmtpSink, startSmtpSink } from '../../testing/smtp-sink.ts';
import {
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

const VERIFY_SUBJECT = /^Confirm your email address for Attune$/;
const ROOM_FIELDS = ['livekit_token', 'livekit_url', 'room_name', 'session_id', 'expires_at'];

let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ SMTP_URL: sink.url });
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const verify = (target: TestServer, token: string) =>
  jsonPost(target, '/auth/email/verify', { token });

async function me(target: TestServer, accessToken: string) {
  const response = await authedGet(target, '/auth/me', accessToken);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    email: string;
    email_verified: boolean;
    pending_email: string | null;
  };
}

describe('verification at sign-up', () => {
  it('mails a link valid 24 hours; opening it marks the address verified, once', async () => {
    const user = await registerUser(server);
    expect(await me(server, user.accessToken)).toMatchObject({
      email_verified: false,
      pending_email: null,
    });
    const mail = await nextMailAbout(sink, user.email, VERIFY_SUBJECT);
    expect(mail.text).toContain('within 1 day');
    const { link, token } = linkIn(mail, 'verify-email');
    expect(link.startsWith(`${server.config.publicUrl}/verify-email#token=`)).toBe(true);

    expect((await verify(server, token)).status).toBe(204);
    expect(await me(server, user.accessToken)).toMatchObject({ email_verified: true });
    const again = await verify(server, token);
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: { code: 'invalid_token' } });

    const [entry] = listAuditEntries(server.database.db, {
      action: 'email_verified',
      userId: user.id,
      limit: 5,
    }).entries;
    expect(entry).toMatchObject({ actorId: user.id, target: user.id });
    const audit = JSON.stringify(
      listAuditEntries(server.database.db, { userId: user.id, limit: 100 }).entries,
    );
    expect(audit).not.toContain(token);
    expect(audit).not.toContain(user.email);
  });

  it('refuses a link past 24 hours; a resent link works and voids the earlier one', async () => {
    const user = await registerUser(server);
    const first = linkIn(await nextMailAbout(sink, user.email, VERIFY_SUBJECT), 'verify-email');
    const resent = await jsonPost(server, '/auth/email/verify/resend', {}, user.accessToken);
    expect(resent.status).toBe(202);
    expect(await resent.json()).toEqual({
      message: 'If an address of yours is waiting to be confirmed, we sent it a link.',
    });
    const second = linkIn(await nextMailAbout(sink, user.email, VERIFY_SUBJECT), 'verify-email');
    expect((await verify(server, first.token)).status).toBe(400);

    server.advanceClock(24 * 60 * 60_000 + 1000);
    const expired = await verify(server, second.token);
    expect(expired.status).toBe(400);
    expect(await expired.json()).toMatchObject({ error: { code: 'invalid_token' } });
    // Signed in again after a day: the access token of yesterday has expired.
    const login = await jsonPost(server, '/auth/login', {
      email: user.email,
      password: user.password,
    });
    const { access_token } = (await login.json()) as { access_token: string };
    expect((await jsonPost(server, '/auth/email/verify/resend', {}, access_token)).status).toBe(
      202,
    );
    const third = linkIn(await nextMailAbout(sink, user.email, VERIFY_SUBJECT), 'verify-email');
    expect((await verify(server, third.token)).status).toBe(204);
    expect((await me(server, access_token)).email_verified).toBe(true);
  });

  it('resend mails nothing once the address is verified, and is not for guests', async () => {
    const user = await registerUser(server);
    const { token } = linkIn(await nextMailAbout(sink, user.email, VERIFY_SUBJECT), 'verify-email');
    expect((await verify(server, token)).status).toBe(204);
    const before = sink.messages.length;
    expect((await jsonPost(server, '/auth/email/verify/resend', {}, user.accessToken)).status).toBe(
      202,
    );
    await server.settled();
    expect(sink.messages).toHaveLength(before);

    const guest = (await (await jsonPost(server, '/auth/guest', {})).json()) as {
      access_token: string;
    };
    const refused = await jsonPost(server, '/auth/email/verify/resend', {}, guest.access_token);
    expect(refused.status).toBe(403);
    expect((await jsonPost(server, '/auth/email/verify/resend', {})).status).toBe(401);
  });

  it('answers 400 JSON to malformed tokens', async () => {
    for (const body of [{}, { token: '' }, { token: 'x'.repeat(300) }, { token: 1 }]) {
      const response = await jsonPost(server, '/auth/email/verify', body);
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});

describe('REQUIRE_EMAIL_VERIFICATION=true', () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ SMTP_URL: sink.url, REQUIRE_EMAIL_VERIFICATION: 'true' });
  });
  afterAll(async () => {
    await strict.close();
  });

  it('keeps an unverified account out of rooms until it opens the link', async () => {
    const user = await registerUser(strict);
    for (const field of ROOM_FIELDS) expect(user.body).not.toHaveProperty(field);
    expect(user.body).toMatchObject({ user: { email_verified: false } });

    const refused = await jsonPost(strict, '/auth/token', {}, user.accessToken);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ error: { code: 'email_unverified' } });
    const unverifiedLogin = await jsonPost(strict, '/auth/login', {
      email: user.email,
      password: user.password,
    });
    expect(unverifiedLogin.status).toBe(200);
    const unverifiedBody = (await unverifiedLogin.json()) as Record<string, unknown>;
    for (const field of ROOM_FIELDS) expect(unverifiedBody).not.toHaveProperty(field);

    const { token } = linkIn(await nextMailAbout(sink, user.email, VERIFY_SUBJECT), 'verify-email');
    expect((await verify(strict, token)).status).toBe(204);
    expect((await jsonPost(strict, '/auth/token', {}, user.accessToken)).status).toBe(201);
    const login = await jsonPost(strict, '/auth/login', {
      email: user.email,
      password: user.password,
    });
    const loginBody = (await login.json()) as Record<string, unknown>;
    for (const field of ROOM_FIELDS) expect(loginBody).toHaveProperty(field);
  });

  it('lets guests into rooms: they have no address to confirm', async () => {
    const guest = await jsonPost(strict, '/auth/guest', {});
    expect(guest.status).toBe(201);
    const body = (await guest.json()) as Record<string, unknown> & { access_token: string };
    for (const field of ROOM_FIELDS) expect(body).toHaveProperty(field);
    expect((await jsonPost(strict, '/auth/token', {}, body.access_token)).status).toBe(201);
  });
});
