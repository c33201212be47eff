import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEntries } from '@attune/db';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('the audit log', () => {
  it('records sign-up, sign-in, failed sign-in, token minting, refresh reuse and sign-out, without secrets', async () => {
    const user = await registerUser(server);
    await jsonPost(server, '/auth/login', { email: user.email, password: 'not the password' });
    const login = (await (
      await jsonPost(server, '/auth/login', { email: user.email, password: user.password })
    ).json()) as { access_token: string };
    await jsonPost(server, '/auth/token', {}, user.accessToken);
    const rotated = await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken });
    expect(rotated.status).toBe(200);
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken })).status,
    ).toBe(401);
    expect(
      (
        await server.fetch('/auth/logout', {
          method: 'POST',
          headers: { authorization: `Bearer ${login.access_token}` },
        })
      ).status,
    ).toBe(204);

    const entries = listAuditEntries(server.database.db, { userId: user.id, limit: 100 }).entries;
    const actions = entries.map((e) => e.action);
    for (const action of [
      'register',
      'login_failure',
      'login_success',
      'token_minted',
      'refresh_reuse_detected',
      'logout',
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(actions.filter((a) => a === 'token_minted').length).toBeGreaterThanOrEqual(3); // register, login, /auth/token
    expect(entries.every((e) => e.ip === '127.0.0.1')).toBe(true);
    const everything = JSON.stringify(entries);
    for (const secret of [
      user.password,
      user.refreshToken,
      user.accessToken,
      login.access_token,
      user.email,
    ]) {
      expect(everything).not.toContain(secret);
    }
  });
});
