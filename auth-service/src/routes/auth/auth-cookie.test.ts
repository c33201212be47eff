import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_COOKIE_NAME } from '../../auth/refresh-cookie.ts';
import {
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  startTestServer,
} from '../../testing/test-server.ts';

// The browser mode: the refresh token lives in an httpOnly, SameSite=Strict cookie scoped to
// /auth, and /auth/refresh reads it only when the request carries X-Refresh-Cookie: 1.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const BROWSER = { 'content-type': 'application/json', 'x-refresh-cookie': '1' };

interface Cookie {
  value: string;
  attributes: string[];
}

/** The attune_refresh Set-Cookie of a response, split into its value and attributes. */
function refreshCookieOf(response: Response): Cookie | undefined {
  const line = response.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith(`${REFRESH_COOKIE_NAME}=`));
  if (!line) return undefined;
  const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
  return { value: decodeURIComponent(pair.slice(REFRESH_COOKIE_NAME.length + 1)), attributes };
}

function browserPost(
  path: string,
  body: unknown,
  cookie?: string,
  accessToken?: string,
): Promise<Response> {
  return server.fetch(path, {
    method: 'POST',
    headers: {
      ...BROWSER,
      ...(cookie !== undefined
        ? { cookie: `${REFRESH_COOKIE_NAME}=${encodeURIComponent(cookie)}` }
        : {}),
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function browserSignUp(email: string) {
  const response = await browserPost('/auth/register', {
    email,
    password: 'cookie password',
    full_name: 'Cookie User',
  });
  expect(response.status).toBe(201);
  const body = (await response.json()) as {
    access_token: string;
    refresh_token?: string;
    user: { id: string };
  };
  const cookie = refreshCookieOf(response);
  if (!cookie) throw new Error('no refresh cookie');
  return { body, cookie };
}

describe('the refresh cookie', () => {
  it('replaces the body field for browsers: httpOnly, SameSite=Strict, scoped to /auth, not Secure on http in development', async () => {
    const { body, cookie } = await browserSignUp('cookie-shape@example.org');
    expect(body).not.toHaveProperty('refresh_token');
    expect(cookie.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookie.attributes).toEqual(
      expect.arrayContaining([
        'HttpOnly',
        'SameSite=Strict',
        'Path=/auth',
        `Max-Age=${30 * 24 * 3600}`,
      ]),
    );
    expect(cookie.attributes).not.toContain('Secure');

    const login = await browserPost('/auth/login', {
      email: 'cookie-shape@example.org',
      password: 'cookie password',
    });
    expect(login.status).toBe(200);
    expect(await login.json()).not.toHaveProperty('refresh_token');
    expect(refreshCookieOf(login)?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('leaves non-browser clients as they were: the token in the body and no cookie', async () => {
    const response = await jsonPost(server, '/auth/register', {
      email: 'cookie-json@example.org',
      password: 'cookie password',
      full_name: 'Json',
    });
    expect(response.status).toBe(201);
    expect((await response.json()) as object).toHaveProperty('refresh_token');
    expect(response.headers.getSetCookie()).toEqual([]);
  });

  it('rotates through the cookie, and a replayed cookie revokes the family', async () => {
    const { cookie: first } = await browserSignUp('cookie-rotate@example.org');
    const refreshed = await browserPost('/auth/refresh', {}, first.value);
    expect(refreshed.status).toBe(200);
    const refreshedBody = (await refreshed.json()) as { access_token: string };
    expect(refreshedBody).not.toHaveProperty('refresh_token');
    const second = refreshCookieOf(refreshed);
    expect(second?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second?.value).not.toBe(first.value);
    expect((await authedGet(server, '/auth/me', refreshedBody.access_token)).status).toBe(200);

    // The spent cookie again: reuse; the family is revoked and the cookie cleared.
    const replay = await browserPost('/auth/refresh', {}, first.value);
    expect(replay.status).toBe(401);
    const cleared = refreshCookieOf(replay);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['Max-Age=0', 'Path=/auth']));
    expect((await browserPost('/auth/refresh', {}, second!.value)).status).toBe(401);
    expect((await authedGet(server, '/auth/me', refreshedBody.access_token)).status).toBe(401);
  });

  it('is read only with X-Refresh-Cookie: 1, so a cross-site request cannot spend it', async () => {
    const { cookie } = await browserSignUp('cookie-csrf@example.org');
    const withoutHeader = await server.fetch('/auth/refresh', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        cookie: `${REFRESH_COOKIE_NAME}=${cookie.value}`,
      },
      body: '{}',
    });
    expect(withoutHeader.status).toBe(400);
    expect(await withoutHeader.json()).toMatchObject({ error: { code: 'refresh_token_missing' } });
    // The cookie was not spent: it still rotates.
    expect((await browserPost('/auth/refresh', {}, cookie.value)).status).toBe(200);
  });

  it('answers 400 when neither a body token nor a cookie is sent, and refuses other header values', async () => {
    const response = await browserPost('/auth/refresh', {});
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'refresh_token_missing' } });
    const badHeader = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-refresh-cookie': 'yes' },
      body: JSON.stringify({ email: 'a@example.org', password: 'x' }),
    });
    expect(badHeader.status).toBe(400);
  });

  it('is cleared by sign-out, after which it no longer refreshes', async () => {
    const { body, cookie } = await browserSignUp('cookie-logout@example.org');
    const logout = await browserPost('/auth/logout', {}, cookie.value, body.access_token);
    expect(logout.status).toBe(204);
    const cleared = refreshCookieOf(logout);
    expect(cleared?.value).toBe('');
    expect(cleared?.attributes).toEqual(expect.arrayContaining(['Max-Age=0']));
    expect((await browserPost('/auth/refresh', {}, cookie.value)).status).toBe(401);
  });

  it('comes for guests too, living as long as the guest, also after a refresh', async () => {
    const response = await browserPost('/auth/guest', {});
    expect(response.status).toBe(201);
    expect(await response.json()).not.toHaveProperty('refresh_token');
    const cookie = refreshCookieOf(response);
    expect(cookie?.attributes).toContain(`Max-Age=${60 * 60}`);
    server.advanceClock(10 * 60_000);
    const refreshed = await browserPost('/auth/refresh', {}, cookie!.value);
    expect(refreshed.status).toBe(200);
    const maxAge = Number(
      refreshCookieOf(refreshed)
        ?.attributes.find((a) => a.startsWith('Max-Age='))
        ?.slice('Max-Age='.length),
    );
    expect(maxAge).toBeGreaterThan(49 * 60);
    expect(maxAge).toBeLessThanOrEqual(50 * 60);
  });
});

describe('sign-out everywhere', () => {
  it('revokes every device of the account and leaves other accounts signed in', async () => {
    const phone = await registerUser(server, {
      email: 'everywhere@example.org',
      password: 'everywhere password',
    });
    const laptopLogin = await jsonPost(server, '/auth/login', {
      email: 'everywhere@example.org',
      password: 'everywhere password',
    });
    const laptop = (await laptopLogin.json()) as { access_token: string; refresh_token: string };
    const bystander = await registerUser(server);

    expect(
      (await jsonPost(server, '/auth/logout', { everywhere: true }, laptop.access_token)).status,
    ).toBe(204);

    for (const access of [phone.accessToken, laptop.access_token])
      expect((await authedGet(server, '/auth/me', access)).status).toBe(401);
    for (const refresh of [phone.refreshToken, laptop.refresh_token]) {
      expect((await jsonPost(server, '/auth/refresh', { refresh_token: refresh })).status).toBe(
        401,
      );
    }
    expect((await authedGet(server, '/auth/me', bystander.accessToken)).status).toBe(200);
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: bystander.refreshToken })).status,
    ).toBe(200);
  });

  it('signs out only this device without the flag', async () => {
    const first = await registerUser(server, {
      email: 'one-device@example.org',
      password: 'one device pass',
    });
    const secondLogin = await jsonPost(server, '/auth/login', {
      email: 'one-device@example.org',
      password: 'one device pass',
    });
    const second = (await secondLogin.json()) as { access_token: string };
    expect((await jsonPost(server, '/auth/logout', {}, first.accessToken)).status).toBe(204);
    expect((await authedGet(server, '/auth/me', first.accessToken)).status).toBe(401);
    expect((await authedGet(server, '/auth/me', second.access_token)).status).toBe(200);
  });

  it('refuses anything but a boolean', async () => {
    const user = await registerUser(server);
    const response = await jsonPost(
      server,
      '/auth/logout',
      { everywhere: 'yes' },
      user.accessToken,
    );
    expect(response.status).toBe(400);
    expect((await authedGet(server, '/auth/me', user.accessToken)).status).toBe(200);
  });
});

describe('over https (COOKIE_SECURE=true, the production default)', () => {
  it('is a Secure __Host- cookie for Path=/, which a sibling subdomain cannot plant, and it rotates', async () => {
    const secure = await startTestServer({ COOKIE_SECURE: 'true' });
    try {
      const response = await secure.fetch('/auth/guest', {
        method: 'POST',
        headers: BROWSER,
        body: '{}',
      });
      const line = response.headers
        .getSetCookie()
        .find((cookie) => cookie.startsWith(`__Host-${REFRESH_COOKIE_NAME}=`));
      expect(line).toBeDefined();
      const [pair = '', ...attributes] = line!.split(';').map((part) => part.trim());
      expect(attributes).toEqual(
        expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']),
      );
      expect(attributes.some((attribute) => attribute.startsWith('Domain='))).toBe(false);
      const refreshed = await secure.fetch('/auth/refresh', {
        method: 'POST',
        headers: { ...BROWSER, cookie: pair },
        body: '{}',
      });
      expect(refreshed.status).toBe(200);
      // The plain name is not read in this mode.
      const plain = await secure.fetch('/auth/refresh', {
        method: 'POST',
        headers: { ...BROWSER, cookie: `${REFRESH_COOKIE_NAME}=${pair.split('=')[1]}` },
        body: '{}',
      });
      expect(plain.status).toBe(400);
    } finally {
      await secure.close();
    }
  });

  it('is cleared when the account is deleted (the cookie reaches /me on Path=/)', async () => {
    const secure = await startTestServer({ COOKIE_SECURE: 'true' });
    try {
      const signUp = await secure.fetch('/auth/register', {
        method: 'POST',
        headers: BROWSER,
        body: JSON.stringify({
          email: 'delete-cookie@example.org',
          password: 'cookie password',
          full_name: 'Gone',
        }),
      });
      const { access_token } = (await signUp.json()) as { access_token: string };
      const pair = signUp.headers.getSetCookie()[0]!.split(';')[0]!;
      const deleted = await secure.fetch('/me', {
        method: 'DELETE',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${access_token}`,
          cookie: pair,
        },
        body: JSON.stringify({ password: 'cookie password' }),
      });
      expect(deleted.status).toBe(204);
      const cleared = deleted.headers
        .getSetCookie()
        .find((cookie) => cookie.startsWith(`__Host-${REFRESH_COOKIE_NAME}=`));
      expect(cleared).toMatch(/Max-Age=0/);
    } finally {
      await secure.close();
    }
  });
});
