import { SignJWT, UnsecuredJWT, decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RegisteredUser,
  TEST_JWT_SECRET,
  type TestServer,
  authedGet,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';
import { APP_JWT_AUDIENCE, APP_JWT_ISSUER } from './app-jwt.ts';

let server: TestServer;
let user: RegisteredUser;
let familyId: string;

beforeAll(async () => {
  server = await startTestServer();
  user = await registerUser(server);
  familyId = decodeJwt(user.accessToken).fam as string;
});
afterAll(async () => {
  await server.close();
});

interface Forgery {
  secret?: string;
  alg?: string;
  issuer?: string;
  audience?: string;
  expiresInSeconds?: number;
  claims?: Record<string, unknown>;
}

async function forge(options: Forgery = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ role: 'user', fam: familyId, ...options.claims })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setIssuer(options.issuer ?? APP_JWT_ISSUER)
    .setAudience(options.audience ?? APP_JWT_AUDIENCE)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresInSeconds ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

async function status(token: string): Promise<number> {
  const response = await authedGet(server, '/auth/me', token);
  if (response.status === 401) {
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'unauthorized',
    );
  }
  return response.status;
}

describe('app access tokens', () => {
  it('accepts a token forged with the right key and claims (the control case)', async () => {
    expect(await status(await forge())).toBe(200);
  });

  it('rejects alg: none', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsecured = new UnsecuredJWT({ role: 'admin', fam: familyId })
      .setSubject(user.id)
      .setIssuer(APP_JWT_ISSUER)
      .setAudience(APP_JWT_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .encode();
    expect(unsecured.endsWith('.')).toBe(true);
    expect(await status(unsecured)).toBe(401);
  });

  it('rejects a token signed with another key', async () => {
    expect(await status(await forge({ secret: 'another-secret-that-is-also-quite-long!!' }))).toBe(
      401,
    );
  });

  it('rejects another HMAC algorithm under the right key', async () => {
    expect(await status(await forge({ alg: 'HS512' }))).toBe(401);
  });

  it('rejects an expired token', async () => {
    expect(await status(await forge({ expiresInSeconds: -1 }))).toBe(401);
  });

  it('rejects a wrong audience and a wrong issuer', async () => {
    expect(await status(await forge({ audience: 'some-other-api' }))).toBe(401);
    expect(await status(await forge({ issuer: 'someone-else' }))).toBe(401);
  });

  it('rejects a token whose claims are malformed', async () => {
    expect(await status(await forge({ claims: { role: 'superuser' } }))).toBe(401);
    expect(await status(await forge({ claims: { fam: 42 } }))).toBe(401);
  });

  it('rejects a tampered payload', async () => {
    const [header, , signature] = user.accessToken.split('.');
    const payload = Buffer.from(
      JSON.stringify({ ...decodeJwt(user.accessToken), role: 'admin' }),
    ).toString('base64url');
    expect(await status(`${header}.${payload}.${signature}`)).toBe(401);
  });

  it('expires after 15 minutes on the server clock', async () => {
    expect(await status(user.accessToken)).toBe(200);
    server.advanceClock(15 * 60 * 1000 + 1000);
    try {
      expect(await status(user.accessToken)).toBe(401);
    } finally {
      server.advanceClock(-(15 * 60 * 1000 + 1000));
    }
  });
});
