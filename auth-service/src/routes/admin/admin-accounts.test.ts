// Admin account work against the real server, its SQLite file and a real SMTP server on loopback:
// one user's admin view, accounts made by an admin, invitations, MAX_USERS and unlock.
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findUsableActionToken,
  findUserByEmail,
  findUserById,
  insertUser,
  listAuditEntries,
  setUserRole,
} from '@attune/db';
import {
  type RegisteredUser,
  type SmtpSink,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  signWebhook,
  startSmtpSink,
  startTestServer,
  webhookEvent,
} from '../../testing/index.ts';

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

let sink: SmtpSink;
let server: TestServer;
let admin: RegisteredUser;

async function adminOf(target: TestServer): Promise<RegisteredUser> {
  const user = await registerUser(target, { full_name: 'Grace Admin' });
  setUserRole(target.database.db, user.id, 'admin');
  return user;
}

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ SMTP_URL: sink.url, PUBLIC_URL: 'https://attune.example' });
  admin = await adminOf(server);
});
afterAll(async () => {
  await server.close();
  await sink.close();
});

const errorCode = async (response: Response) =>
  ((await response.json()) as { error: { code: string } }).error.code;

/** The token in a mailed link's fragment (`#token=…` or `#invite=…`). */
const fragmentValue = (link: string, key: string) =>
  decodeURIComponent(new URL(link).hash.slice(1).split(`${key}=`)[1] ?? '');

/** Mints a room token and has LiveKit (a signed webhook) say the participant joined. */
async function joinRoom(user: RegisteredUser) {
  const minted = (await (await jsonPost(server, '/auth/token', {}, user.accessToken)).json()) as {
    session_id: string;
    room_name: string;
  };
  const { body, headers } = await signWebhook(
    webhookEvent({
      event: 'participant_joined',
      room: minted.room_name,
      createdAtSeconds: Math.floor(Date.now() / 1000),
      participant: {
        identity: user.id,
        attributes: { 'attune.user_id': user.id, 'attune.session_id': minted.session_id },
        joinedAtMs: Date.now(),
      },
    }),
    server.config.livekit.apiKey,
    server.config.livekit.apiSecret,
  );
  expect((await server.fetch('/livekit/webhook', { method: 'POST', headers, body })).status).toBe(
    200,
  );
}

const login = (target: TestServer, email: string, password: string) =>
  jsonPost(target, '/auth/login', { email, password });

describe('GET /admin/users/{id}', () => {
  it('shows the admin view, with the login throttle’s block and the sessions in progress', async () => {
    const ann = await registerUser(server, { full_name: 'Ann Viewed' });
    const view = async () => {
      const response = await authedGet(server, `/admin/users/${ann.id}`, admin.accessToken);
      expect(response.status).toBe(200);
      return ((await response.json()) as { user: Record<string, unknown> }).user;
    };
    expect(await view()).toEqual({
      id: ann.id,
      email: ann.email,
      full_name: 'Ann Viewed',
      role: 'user',
      status: 'active',
      created_at: expect.any(String) as string,
      last_login: null,
      email_verified: false,
      pending_email: null,
      password_set: true,
      locked_until: null,
      active_sessions: 0,
    });
    for (let i = 0; i < server.config.lockout.maxFailures; i += 1)
      expect((await login(server, ann.email, 'a wrong password')).status).toBe(401);
    await joinRoom(ann);
    const after = await view();
    expect(Date.parse(after.locked_until as string)).toBeGreaterThan(Date.now());
    expect(after.active_sessions).toBe(1);
  });

  it('answers 404 for an unknown id, and 403 to a plain user', async () => {
    const response = await authedGet(server, '/admin/users/no-such-user', admin.accessToken);
    expect(response.status).toBe(404);
    expect(await errorCode(response)).toBe('user_not_found');
    const bea = await registerUser(server);
    expect((await authedGet(server, `/admin/users/${bea.id}`, bea.accessToken)).status).toBe(403);
  });
});

describe('POST /admin/users', () => {
  it('creates an account without a password and mails a set-password link valid 7 days', async () => {
    const before = Date.now();
    const response = await jsonPost(
      server,
      '/admin/users',
      { email: ' Cleo@Example.ORG ', full_name: 'Cleo Made', role: 'analyst' },
      admin.accessToken,
    );
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      user: { id: string; email: string; role: string; password_set: boolean };
      set_password_mail: string;
    };
    expect(body).toMatchObject({
      user: { email: 'cleo@example.org', role: 'analyst', password_set: false },
      set_password_mail: 'sent',
    });

    const mail = await sink.waitForMail('cleo@example.org');
    expect(mail.subject).toBe('Your Attune account is ready');
    expect(mail.text).toContain('Cleo Made');
    const link = mail.links.find((l) => l.includes('/set-password#token='));
    expect(link).toMatch(/^https:\/\/attune\.example\/set-password#token=/);
    const token = fragmentValue(link!, 'token');
    const row = findUsableActionToken(server.database.db, token, ['set_password'], Date.now());
    expect(row).toMatchObject({ userId: body.user.id, email: 'cleo@example.org' });
    expect(row!.expiresAt - row!.createdAt).toBe(WEEK_MS);
    expect(row!.createdAt).toBeGreaterThanOrEqual(before);
    // The database keeps only the hash: the token itself appears in no row.
    expect(JSON.stringify(row)).not.toContain(token);

    const user = findUserById(server.database.db, body.user.id)!;
    expect(user.passwordHash).toBeNull();
    const signIn = await login(server, 'cleo@example.org', 'any password at all');
    expect(signIn.status).toBe(401);
    expect(await errorCode(signIn)).toBe('invalid_credentials');

    const audit = listAuditEntries(server.database.db, {
      action: 'user_created',
      userId: body.user.id,
      limit: 5,
    }).entries;
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: admin.id, target: body.user.id });
  });

  it('refuses a taken email, a guest role, and anyone but an admin', async () => {
    const dan = await registerUser(server);
    const taken = await jsonPost(
      server,
      '/admin/users',
      { email: dan.email.toUpperCase(), full_name: 'Dan Again', role: 'user' },
      admin.accessToken,
    );
    expect(taken.status).toBe(409);
    expect(await errorCode(taken)).toBe('email_taken');
    const guest = await jsonPost(
      server,
      '/admin/users',
      { email: 'guest-role@example.org', full_name: 'G', role: 'guest' },
      admin.accessToken,
    );
    expect(guest.status).toBe(400);
    const moderator = await registerUser(server);
    setUserRole(server.database.db, moderator.id, 'moderator');
    const asModerator = await jsonPost(
      server,
      '/admin/users',
      { email: 'by-moderator@example.org', full_name: 'M', role: 'user' },
      moderator.accessToken,
    );
    expect(asModerator.status).toBe(403);
    expect(findUserByEmail(server.database.db, 'by-moderator@example.org')).toBeUndefined();
  });

  it('keeps the account and says so when the set-password mail cannot be sent', async () => {
    const closed = await startSmtpSink();
    const deadUrl = closed.url;
    await closed.close();
    const noMail = await startTestServer({ SMTP_URL: deadUrl });
    try {
      const boss = await adminOf(noMail);
      const response = await jsonPost(
        noMail,
        '/admin/users',
        { email: 'unmailed@example.org', full_name: 'Una Mailed', role: 'user' },
        boss.accessToken,
      );
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ set_password_mail: 'failed' });
      expect(findUserByEmail(noMail.database.db, 'unmailed@example.org')).toBeDefined();
    } finally {
      await noMail.close();
    }
  });
});

describe('POST /admin/invitations', () => {
  it('mails a sign-up link valid 7 days for the role given (user by default), and audits it', async () => {
    const response = await jsonPost(
      server,
      '/admin/invitations',
      { email: 'Invitee@Example.org' },
      admin.accessToken,
    );
    expect(response.status).toBe(202);
    const body = (await response.json()) as { expires_at: string };
    expect(body).toMatchObject({
      email: 'invitee@example.org',
      role: 'user',
      invitation_mail: 'sent',
    });
    const mail = await sink.waitForMail('invitee@example.org');
    expect(mail.subject).toBe('You are invited to Attune');
    expect(mail.text).toContain('Grace Admin invited you');
    const link = mail.links.find((l) => l.includes('/sign-up#invite='));
    expect(link).toMatch(/^https:\/\/attune\.example\/sign-up#invite=/);
    const row = findUsableActionToken(
      server.database.db,
      fragmentValue(link!, 'invite'),
      ['invitation'],
      Date.now(),
    );
    expect(row).toMatchObject({ userId: null, email: 'invitee@example.org', role: 'user' });
    expect(row!.expiresAt - row!.createdAt).toBe(WEEK_MS);
    expect(new Date(body.expires_at).getTime()).toBe(row!.expiresAt);
    expect(
      listAuditEntries(server.database.db, { action: 'invitation_sent', limit: 5 }).entries[0],
    ).toMatchObject({ actorId: admin.id, target: null });

    // A second invitation of the address voids the first link.
    const again = await jsonPost(
      server,
      '/admin/invitations',
      { email: 'invitee@example.org', role: 'moderator' },
      admin.accessToken,
    );
    expect(again.status).toBe(202);
    const second = await sink.waitForMail('invitee@example.org');
    const secondToken = fragmentValue(
      second.links.find((l) => l.includes('#invite='))!,
      'invite',
    );
    expect(
      findUsableActionToken(
        server.database.db,
        fragmentValue(link!, 'invite'),
        ['invitation'],
        Date.now(),
      ),
    ).toBeUndefined();
    expect(
      findUsableActionToken(server.database.db, secondToken, ['invitation'], Date.now())?.role,
    ).toBe('moderator');
  });

  it('refuses an address that has an account, a guest role, and non-admins', async () => {
    const eve = await registerUser(server);
    const taken = await jsonPost(
      server,
      '/admin/invitations',
      { email: eve.email },
      admin.accessToken,
    );
    expect(taken.status).toBe(409);
    expect(await errorCode(taken)).toBe('email_taken');
    expect(
      (
        await jsonPost(
          server,
          '/admin/invitations',
          { email: 'g@example.org', role: 'guest' },
          admin.accessToken,
        )
      ).status,
    ).toBe(400);
    expect(
      (await jsonPost(server, '/admin/invitations', { email: 'x@example.org' }, eve.accessToken))
        .status,
    ).toBe(403);
  });
  it('refuses to invite while registration is closed, since the link could not be used', async () => {
    const closed = await startTestServer({ SMTP_URL: sink.url, REGISTRATION: 'closed' });
    try {
      // Nobody can sign up here: the admin comes straight from the database, as `pnpm admin` makes one.
      insertUser(
        closed.database.db,
        {
          email: 'boss@example.org',
          fullName: 'Boss',
          passwordHash: bcrypt.hashSync('the boss password', 4),
          role: 'admin',
        },
        Date.now(),
      );
      const boss = (await (
        await login(closed, 'boss@example.org', 'the boss password')
      ).json()) as { access_token: string };
      const invite = await jsonPost(
        closed,
        '/admin/invitations',
        { email: 'nobody-yet@example.org' },
        boss.access_token,
      );
      expect(invite.status).toBe(403);
      expect(await errorCode(invite)).toBe('registration_closed');
      expect(
        listAuditEntries(closed.database.db, { limit: 50 }).entries.map((e) => e.action),
      ).not.toContain('invitation_sent');
    } finally {
      await closed.close();
    }
  });
});

describe('MAX_USERS', () => {
  it('stops accounts and invitations once that many non-guest accounts exist; guests do not count', async () => {
    const limited = await startTestServer({ SMTP_URL: sink.url, MAX_USERS: '2' });
    try {
      const boss = await adminOf(limited);
      expect((await jsonPost(limited, '/auth/guest', {})).status).toBe(201);
      const create = (email: string) =>
        jsonPost(
          limited,
          '/admin/users',
          { email, full_name: 'Limited', role: 'user' },
          boss.accessToken,
        );
      expect((await create('second@example.org')).status).toBe(201);
      const third = await create('third@example.org');
      expect(third.status).toBe(403);
      const refusal = (await third.json()) as { error: { code: string; message: string } };
      expect(refusal.error.code).toBe('user_limit');
      expect(findUserByEmail(limited.database.db, 'third@example.org')).toBeUndefined();
      const invite = await jsonPost(
        limited,
        '/admin/invitations',
        { email: 'fourth@example.org' },
        boss.accessToken,
      );
      expect(invite.status).toBe(403);
      expect(await errorCode(invite)).toBe('user_limit');
    } finally {
      await limited.close();
    }
  });
});

describe('POST /admin/users/{id}/unlock', () => {
  it('clears a blocked account so the right password works again, and audits it', async () => {
    const fay = await registerUser(server);
    for (let i = 0; i < server.config.lockout.maxFailures; i += 1)
      await login(server, fay.email, 'a wrong password');
    const blocked = await login(server, fay.email, fay.password);
    expect(blocked.status).toBe(429);
    expect(await errorCode(blocked)).toBe('login_throttled');

    const moderator = await registerUser(server);
    setUserRole(server.database.db, moderator.id, 'moderator');
    const unlock = await jsonPost(
      server,
      `/admin/users/${fay.id}/unlock`,
      undefined,
      moderator.accessToken,
    );
    expect(unlock.status).toBe(204);
    expect((await login(server, fay.email, fay.password)).status).toBe(200);
    expect(
      listAuditEntries(server.database.db, { action: 'unlock', userId: fay.id, limit: 5 })
        .entries[0],
    ).toMatchObject({ actorId: moderator.id, target: fay.id });
  });

  it('answers 404 for an unknown id and 403 to a plain user', async () => {
    const unknown = await jsonPost(
      server,
      '/admin/users/no-such-user/unlock',
      undefined,
      admin.accessToken,
    );
    expect(unknown.status).toBe(404);
    const gil = await registerUser(server);
    expect(
      (await jsonPost(server, `/admin/users/${gil.id}/unlock`, undefined, gil.accessToken)).status,
    ).toBe(403);
  });
});
