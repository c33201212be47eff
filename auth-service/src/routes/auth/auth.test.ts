import bcrypt from 'bcryptjs';
import { decodeJwt } from 'jose';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertUser, setUserStatus, updatePasswordHash } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import {
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** The user as the auth endpoints answer with it. */
interface UserBody {
  id: string;
  email: string;
  full_name: string;
  role: string;
  status: string;
  created_at: string;
  last_login: string | null;
}

/** What register and login answer; expectSignedInShape checks every field. */
type SignedInBody = Record<string, unknown> & {
  access_token: string;
  refresh_token: string;
  room_name: string;
  session_id: string;
  user: UserBody;
};

interface TokenBody {
  livekit_token: string;
  participant_token: string;
  server_url: string;
  livekit_url: string;
  room_name: string;
  session_id: string;
  expires_at: string;
}

interface RefreshBody {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
  user: UserBody;
}

interface ErrorBody {
  error: { code: string; message: string };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function expectSignedInShape(body: Record<string, unknown>, email: string, fullName: string) {
  expect(Object.keys(body).sort()).toEqual(
    [
      'access_token',
      'expires_in',
      'livekit_token',
      'livekit_url',
      'refresh_token',
      'room_name',
      'session_id',
      'token_type',
      'user',
      'expires_at',
    ].sort(),
  );
  expect(body.access_token).toMatch(JWT);
  expect(body.token_type).toBe('bearer');
  expect(body.expires_in).toBe(900);
  expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(body.livekit_token).toMatch(JWT);
  expect(body.livekit_url).toBe('ws://localhost:7880');
  expect(body.room_name).toMatch(/^attune-[0-9a-f]{32}$/);
  expect(body.session_id).toMatch(UUID);
  expect(body.expires_at).toMatch(ISO);
  const user = body.user as Record<string, unknown>;
  expect(Object.keys(user).sort()).toEqual([
    'created_at',
    'email',
    'email_verified',
    'full_name',
    'id',
    'last_login',
    'pending_email',
    'role',
    'status',
  ]);
  expect(user.id).toMatch(UUID);
  expect(user.email).toBe(email);
  expect(user.full_name).toBe(fullName);
  expect(user.role).toBe('user');
  expect(user.status).toBe('active');
  expect(user.created_at).toMatch(ISO);
  expect(user.pending_email).toBeNull();
}

describe('register → login → me → token → refresh → logout', () => {
  it('answers every step with the documented fields', async () => {
    // register: email is normalised, the name trimmed
    const registered = await jsonPost(server, '/auth/register', {
      email: '  Ada.Lovelace@Example.ORG ',
      password: 'analytical engine',
      full_name: ' Ada Lovelace ',
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get('content-type')).toMatch(/^application\/json/);
    expect(registered.headers.get('x-request-id')).toBeTruthy();
    const reg = (await registered.json()) as SignedInBody;
    expectSignedInShape(reg, 'ada.lovelace@example.org', 'Ada Lovelace');
    expect(reg.user.last_login).toBeNull();
    const userId = reg.user.id;
    const device = server.database.db.query.refreshTokens
      .findFirst({ where: (t, { eq }) => eq(t.userId, userId) })
      .sync();
    expect(device?.ip).toMatch(/127\.0\.0\.1$/);
    expect(device?.userAgent).toEqual(expect.any(String));
    expect(device?.revokedAt).toBeNull();
    expect(device!.tokenHash).not.toBe(reg.refresh_token);

    const access = decodeJwt(reg.access_token);
    expect(access).toMatchObject({
      sub: userId,
      role: 'user',
      iss: 'attune-auth',
      aud: 'attune-api',
    });
    expect((access.exp as number) - (access.iat as number)).toBe(900);

    // login with the address as typed differently
    const loggedIn = await jsonPost(server, '/auth/login', {
      email: 'ADA.LOVELACE@example.org',
      password: 'analytical engine',
    });
    expect(loggedIn.status).toBe(200);
    const login = (await loggedIn.json()) as SignedInBody;
    expectSignedInShape(login, 'ada.lovelace@example.org', 'Ada Lovelace');
    expect(login.user.id).toBe(userId);
    expect(login.user.last_login).toMatch(ISO);
    expect(login.room_name).not.toBe(reg.room_name);
    expect(login.session_id).not.toBe(reg.session_id);
    expect(login.refresh_token).not.toBe(reg.refresh_token);

    // me
    const me = await authedGet(server, '/auth/me', login.access_token);
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(login.user);

    // token
    const minted = await jsonPost(
      server,
      '/auth/token',
      { participant_name: 'Ada' },
      login.access_token,
    );
    expect(minted.status).toBe(201);
    const token = (await minted.json()) as TokenBody;
    expect(Object.keys(token).sort()).toEqual(
      [
        'expires_at',
        'livekit_token',
        'livekit_url',
        'participant_token',
        'room_name',
        'server_url',
        'session_id',
      ].sort(),
    );
    expect(token.livekit_token).toMatch(JWT);
    expect(token.participant_token).toBe(token.livekit_token);
    expect(token.server_url).toBe('ws://localhost:7880');
    expect(token.livekit_url).toBe('ws://localhost:7880');
    expect(token.room_name).toMatch(/^attune-/);
    expect(token.session_id).toMatch(UUID);
    const expiresInMs = Date.parse(token.expires_at) - Date.now();
    expect(expiresInMs).toBeGreaterThan(9 * 60_000);
    expect(expiresInMs).toBeLessThanOrEqual(10 * 60_000);
    expect(decodeJwt(token.livekit_token).name).toBe('Ada');

    // refresh: a rotated pair, the old refresh token spent
    const refreshed = await jsonPost(server, '/auth/refresh', {
      refresh_token: login.refresh_token,
    });
    expect(refreshed.status).toBe(200);
    const refresh = (await refreshed.json()) as RefreshBody;
    expect(Object.keys(refresh).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'token_type',
      'user',
    ]);
    expect(refresh.token_type).toBe('bearer');
    expect(refresh.expires_in).toBe(900);
    expect(refresh.refresh_token).not.toBe(login.refresh_token);
    expect(refresh.user).toEqual(login.user);
    expect(decodeJwt(refresh.access_token).fam).toBe(decodeJwt(login.access_token).fam);

    // logout: this device's tokens stop working, the other device (register) still works
    const loggedOut = await jsonPost(server, '/auth/logout', {}, refresh.access_token);
    expect(loggedOut.status).toBe(204);
    expect(await loggedOut.text()).toBe('');
    expect((await authedGet(server, '/auth/me', refresh.access_token)).status).toBe(401);
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: refresh.refresh_token })).status,
    ).toBe(401);
    expect((await authedGet(server, '/auth/me', reg.access_token)).status).toBe(200);
  });
});

describe('register and login tokens', () => {
  it('each record an issued session for the room their LiveKit token admits to', async () => {
    const user = await registerUser(server);
    const login = (await (
      await jsonPost(server, '/auth/login', { email: user.email, password: user.password })
    ).json()) as Record<string, string>;
    const verifier = new TokenVerifier(
      server.config.livekit.apiKey,
      server.config.livekit.apiSecret,
    );
    for (const body of [user.body as Record<string, string>, login]) {
      const claims = await verifier.verify(body.livekit_token!);
      expect(claims.sub).toBe(user.id);
      expect(claims.video?.room).toBe(body.room_name);
      expect(claims.attributes?.['attune.session_id']).toBe(body.session_id);
      const row = server.database.db.query.userSessions
        .findFirst({ where: (t, { eq }) => eq(t.id, body.session_id!) })
        .sync();
      expect(row).toMatchObject({ userId: user.id, roomName: body.room_name, status: 'issued' });
    }
  });
});

describe('password hashes', () => {
  it('are re-hashed at the configured cost on the next successful login', async () => {
    const weak = bcrypt.hashSync('an older password', 4);
    const user = insertUser(
      server.database.db,
      { email: 'old-cost@example.org', fullName: 'Old', passwordHash: weak },
      Date.now(),
    )!;
    const costed = await startTestServer({ BCRYPT_COST: '5', DATABASE_PATH: server.database.path });
    try {
      // a wrong password changes nothing
      expect(
        (
          await jsonPost(costed, '/auth/login', {
            email: 'old-cost@example.org',
            password: 'not the password',
          })
        ).status,
      ).toBe(401);
      expect(
        server.database.db.query.users
          .findFirst({ where: (t, { eq }) => eq(t.id, user.id) })
          .sync()!.passwordHash,
      ).toBe(weak);
      expect(
        (
          await jsonPost(costed, '/auth/login', {
            email: 'old-cost@example.org',
            password: 'an older password',
          })
        ).status,
      ).toBe(200);
      const stored = server.database.db.query.users
        .findFirst({ where: (t, { eq }) => eq(t.id, user.id) })
        .sync()!.passwordHash!;
      expect(bcrypt.getRounds(stored)).toBe(5);
      expect(bcrypt.compareSync('an older password', stored)).toBe(true);
    } finally {
      await costed.close();
    }
  });
});

describe('changes while bcrypt runs', () => {
  it('a suspension or a new password that lands during the comparison wins over the login', async () => {
    let duringVerify: (() => unknown) | undefined;
    const racing = await startTestServer(
      {},
      {
        wrapPasswords: (real) => ({
          ...real,
          verify: async (password, hash) => {
            const result = await real.verify(password, hash);
            duringVerify?.();
            return result;
          },
        }),
      },
    );
    try {
      const suspended = await registerUser(racing);
      const changed = await registerUser(racing);
      const rows = () => snapshotTables(racing.database.db);
      duringVerify = () => setUserStatus(racing.database.db, suspended.id, 'suspended');
      let before = rows();
      expect(
        (
          await jsonPost(racing, '/auth/login', {
            email: suspended.email,
            password: suspended.password,
          })
        ).status,
      ).toBe(401);
      expect(rows().refresh_tokens).toEqual(before.refresh_tokens);
      expect(rows().user_sessions).toEqual(before.user_sessions);

      duringVerify = () =>
        updatePasswordHash(racing.database.db, changed.id, bcrypt.hashSync('a newer password', 4));
      before = rows();
      expect(
        (
          await jsonPost(racing, '/auth/login', {
            email: changed.email,
            password: changed.password,
          })
        ).status,
      ).toBe(401);
      expect(rows().refresh_tokens).toEqual(before.refresh_tokens);
    } finally {
      await racing.close();
    }
  });
});

describe('sign-in failures', () => {
  it('answers an unknown email and a wrong password identically', async () => {
    const user = await registerUser(server);
    const wrongPassword = await jsonPost(server, '/auth/login', {
      email: user.email,
      password: 'not the password',
    });
    const unknownEmail = await jsonPost(server, '/auth/login', {
      email: 'nobody@example.org',
      password: 'not the password',
    });
    expect(wrongPassword.status).toBe(401);
    expect(unknownEmail.status).toBe(401);
    expect(await wrongPassword.json()).toEqual(await unknownEmail.json());
  });

  it('refuses a second account for the same email, however it is cased', async () => {
    const user = await registerUser(server);
    const again = await jsonPost(server, '/auth/register', {
      email: user.email.toUpperCase(),
      password: 'another password',
      full_name: 'Copy',
    });
    expect(again.status).toBe(409);
    const taken = (await again.json()) as ErrorBody;
    expect(taken).toEqual({ error: { code: 'email_taken', message: taken.error.message } });
    expect(taken.error.message).toEqual(expect.any(String));
  });

  it('says the password rule when a password is refused', async () => {
    for (const password of ['short', 'x'.repeat(73), 'é'.repeat(37)]) {
      const response = await jsonPost(server, '/auth/register', {
        email: `rule-${password.length}@example.org`,
        password,
        full_name: 'R',
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('validation_failed');
      expect(body.error.message).toContain('password must be 8 to 72 bytes');
    }
    // 72 bytes exactly is accepted, multi-byte characters counted in bytes
    const ok = await jsonPost(server, '/auth/register', {
      email: 'rule-ok@example.org',
      password: 'é'.repeat(36),
      full_name: 'R',
    });
    expect(ok.status).toBe(201);
  });
});

describe('refresh token reuse', () => {
  it('revokes the whole family when a rotated token is replayed', async () => {
    const user = await registerUser(server);
    const first = (await (
      await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken })
    ).json()) as Record<string, string>;
    const second = (await (
      await jsonPost(server, '/auth/refresh', { refresh_token: first.refresh_token! })
    ).json()) as Record<string, string>;
    expect(second.refresh_token).toBeTruthy();

    // the attacker replays the original token
    const replay = await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken });
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as { error: { code: string } }).error.code).toBe(
      'invalid_refresh_token',
    );

    // the newest token of that family is revoked too, and so is its access token
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: second.refresh_token! })).status,
    ).toBe(401);
    expect((await authedGet(server, '/auth/me', second.access_token!)).status).toBe(401);
    const rows = server.database.db.query.refreshTokens
      .findMany({ where: (t, { eq }) => eq(t.userId, user.id) })
      .sync();
    expect(rows).toHaveLength(3);
    expect(rows.every((row) => row.revokedAt !== null)).toBe(true);
    expect(server.logs.some((line) => line.includes('refresh token reuse detected'))).toBe(true);
  });

  it('refuses an unknown refresh token', async () => {
    const response = await jsonPost(server, '/auth/refresh', { refresh_token: 'x'.repeat(43) });
    expect(response.status).toBe(401);
  });

  it('refuses a password longer than bcrypt reads even when its first 72 bytes match', async () => {
    const password = 'p'.repeat(72);
    const user = await registerUser(server, { password });
    expect((await jsonPost(server, '/auth/login', { email: user.email, password })).status).toBe(
      200,
    );
    expect(
      (await jsonPost(server, '/auth/login', { email: user.email, password: `${password}EXTRA` }))
        .status,
    ).toBe(401);
  });

  it('refuses an expired refresh token', async () => {
    const user = await registerUser(server);
    server.advanceClock(31 * 24 * 60 * 60 * 1000);
    try {
      expect(
        (await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken })).status,
      ).toBe(401);
    } finally {
      server.advanceClock(-31 * 24 * 60 * 60 * 1000);
    }
  });
});

describe('logs', () => {
  it('never contain passwords or tokens', async () => {
    const password = 'very secret passphrase';
    const user = await registerUser(server, { password });
    const login = (await (
      await jsonPost(server, '/auth/login', { email: user.email, password })
    ).json()) as Record<string, string>;
    await jsonPost(server, '/auth/refresh', { refresh_token: login.refresh_token! });
    const all = server.logs.join('\n');
    expect(all).toContain('"path":"/auth/login"');
    for (const secret of [
      password,
      user.accessToken,
      user.refreshToken,
      login.access_token!,
      login.refresh_token!,
      login.livekit_token!,
      server.config.jwtSecret,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
