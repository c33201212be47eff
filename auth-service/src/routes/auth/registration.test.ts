import { afterEach, describe, expect, it } from 'vitest';
import {
  countNonGuestUsers,
  findUsableActionToken,
  findUserByEmail,
  issueActionToken,
} from '@attune/db';
import { type SmtpSink, startSmtpSink } from '../../testing/smtp-sink.ts';
import { type TestServer, jsonPost, startTestServer } from '../../testing/test-server.ts';

const WEEK_MS = 7 * 24 * 60 * 60_000;
let open: { server: TestServer; sink?: SmtpSink }[] = [];

async function serverWith(env: Record<string, string>, withSink = false) {
  const sink = withSink ? await startSmtpSink() : undefined;
  const server = await startTestServer({ ...env, ...(sink ? { SMTP_URL: sink.url } : {}) });
  open.push({ server, sink });
  return { server, sink };
}
afterEach(async () => {
  for (const { server, sink } of open) {
    await server.close();
    await sink?.close();
  }
  open = [];
});

let counter = 0;
function signUp(server: TestServer, extra: Record<string, unknown> = {}) {
  counter += 1;
  return jsonPost(server, '/auth/register', {
    email: `signup-${counter}-${Date.now()}@example.org`,
    password: 'a good password',
    full_name: `Sign Up ${counter}`,
    ...extra,
  });
}

function invite(server: TestServer, email: string, role: 'user' | 'analyst' | 'admin' = 'user') {
  return issueActionToken(
    server.database.db,
    { purpose: 'invitation', userId: null, email, role, ttlMs: WEEK_MS },
    Date.now(),
  ).token;
}

async function expectRefused(response: Response, code: string) {
  expect(response.status).toBe(403);
  expect(await response.json()).toMatchObject({ error: { code } });
}

describe('REGISTRATION=closed', () => {
  it('refuses every sign-up, an invited one too, and stores nothing', async () => {
    const { server } = await serverWith({ REGISTRATION: 'closed' });
    await expectRefused(await signUp(server), 'registration_closed');
    const email = 'closed-invited@example.org';
    await expectRefused(
      await signUp(server, { email, invite_token: invite(server, email) }),
      'registration_closed',
    );
    expect(countNonGuestUsers(server.database.db)).toBe(0);
    // Guests are another switch (ENABLE_GUEST_ACCESS).
    expect((await jsonPost(server, '/auth/guest', {})).status).toBe(201);
  });
});

describe('REGISTRATION=invite', () => {
  it('needs an invitation for this address; the account gets its role and a verified address', async () => {
    const { server, sink } = await serverWith({ REGISTRATION: 'invite' }, true);
    await expectRefused(await signUp(server), 'invitation_required');

    const email = `invited-${Date.now()}@example.org`;
    const token = invite(server, email, 'analyst');
    await expectRefused(
      await signUp(server, { email: 'someone-else@example.org', invite_token: token }),
      'invitation_required',
    );
    await expectRefused(
      await signUp(server, { email, invite_token: 'B'.repeat(43) }),
      'invitation_required',
    );

    const response = await signUp(server, { email: email.toUpperCase(), invite_token: token });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      user: { email, role: 'analyst', email_verified: true },
    });
    // The invitation proved the address: no verification mail.
    await server.settled();
    expect(sink!.messages.filter((m) => m.envelope.to.includes(email))).toEqual([]);
    // Spent: a second sign-up with it is refused.
    await expectRefused(
      await signUp(server, { email: `again-${email}`, invite_token: token }),
      'invitation_required',
    );
  });

  it('keeps the invitation when the sign-up fails on a taken address', async () => {
    const { server } = await serverWith({ REGISTRATION: 'invite' });
    const email = `taken-${Date.now()}@example.org`;
    expect((await signUp(server, { email, invite_token: invite(server, email) })).status).toBe(201);
    const second = invite(server, email);
    const taken = await signUp(server, { email, invite_token: second });
    expect(taken.status).toBe(409);
    expect(await taken.json()).toMatchObject({ error: { code: 'email_taken' } });
    expect(findUserByEmail(server.database.db, email)?.role).toBe('user');
    // The refused sign-up rolled back: the invitation is still usable.
    expect(
      findUsableActionToken(server.database.db, second, ['invitation'], Date.now()),
    ).toBeDefined();
  });
});

describe('REGISTRATION=open (the default)', () => {
  it('takes anyone, mails an unverified account its link, and honours an invitation', async () => {
    const { server, sink } = await serverWith({}, true);
    const plain = await signUp(server);
    expect(plain.status).toBe(201);
    const body = (await plain.json()) as { user: { email: string; email_verified: boolean } };
    expect(body.user.email_verified).toBe(false);
    expect((await sink!.waitForMail(body.user.email)).subject).toMatch(/Confirm your email/);

    const email = `open-invited-${Date.now()}@example.org`;
    const invited = await signUp(server, { email, invite_token: invite(server, email, 'admin') });
    expect(await invited.json()).toMatchObject({ user: { role: 'admin', email_verified: true } });
  });
});

describe('MAX_USERS', () => {
  it('refuses sign-ups past the limit with 403 user_limit; guests do not count', async () => {
    const { server } = await serverWith({ MAX_USERS: '2' });
    expect((await jsonPost(server, '/auth/guest', {})).status).toBe(201);
    expect((await signUp(server)).status).toBe(201);
    expect((await signUp(server)).status).toBe(201);
    await expectRefused(await signUp(server), 'user_limit');
    expect(countNonGuestUsers(server.database.db)).toBe(2);
    expect((await jsonPost(server, '/auth/guest', {})).status).toBe(201);
  });

  it('gives the last place to exactly one of many concurrent sign-ups', async () => {
    const { server } = await serverWith({ MAX_USERS: '3' });
    for (let i = 0; i < 2; i += 1) expect((await signUp(server)).status).toBe(201);
    const statuses = await Promise.all(
      Array.from({ length: 8 }, () => signUp(server).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 403)).toHaveLength(7);
    expect(countNonGuestUsers(server.database.db)).toBe(3);
  });

  it('leaves an invitation unspent when the limit refuses the sign-up', async () => {
    const { server } = await serverWith({ REGISTRATION: 'invite', MAX_USERS: '1' });
    const first = 'first@example.org';
    expect(
      (await signUp(server, { email: first, invite_token: invite(server, first) })).status,
    ).toBe(201);
    const second = 'second@example.org';
    const token = invite(server, second);
    await expectRefused(await signUp(server, { email: second, invite_token: token }), 'user_limit');
    // The operator raises the limit: the same invitation still works.
    const raised = await serverWith({
      REGISTRATION: 'invite',
      MAX_USERS: '5',
      DATABASE_PATH: server.database.path,
    });
    expect((await signUp(raised.server, { email: second, invite_token: token })).status).toBe(201);
  });

  it('answers 400 to a malformed invite_token', async () => {
    const { server } = await serverWith({ REGISTRATION: 'invite' });
    for (const inviteToken of ['', 'x'.repeat(300), 42]) {
      const response = await signUp(server, { invite_token: inviteToken });
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'validation_failed' } });
    }
  });
});
