import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, registerUser, startTestServer } from '@attune/auth-service/testing';
import { AuthApiError, createAuthApi } from '@attune/web-client/api';
import { BrowserSession, type SessionEnvironment } from '@attune/web-client/session';

// The browser's session logic against the real auth service: a cookie jar stands in for the
// browser's (one httpOnly cookie), and timers are stepped by hand.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ACCESS_TTL_MS = 15 * 60_000;

/** fetch with one browser's cookie jar for the refresh cookie. */
function browserFetch() {
  const jar: { cookie?: string } = {};
  let offline = false;
  const fetchWithJar: typeof fetch = async (input, init) => {
    if (offline) throw new TypeError('Failed to fetch');
    const headers = new Headers(init?.headers);
    if (jar.cookie) headers.set('cookie', `attune_refresh=${jar.cookie}`);
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const match = /^attune_refresh=([^;]*)/.exec(line);
      if (match) jar.cookie = /Max-Age=0/i.test(line) || match[1] === '' ? undefined : match[1];
    }
    return response;
  };
  return { fetch: fetchWithJar, jar, setOffline: (value: boolean) => (offline = value) };
}

/** A clock and a timer list the test steps itself, plus a channel shared by "tabs". */
function manualEnvironment(channel?: EventTarget & { postMessage(message: unknown): void }) {
  let offsetMs = 0;
  const timers: { run: () => void; atMs: number; id: number }[] = [];
  let nextId = 1;
  const env: SessionEnvironment = {
    now: () => Date.now() + offsetMs,
    setTimeout: (run, ms) => {
      const id = nextId++;
      timers.push({ run, atMs: Date.now() + offsetMs + ms, id });
      return id;
    },
    clearTimeout: (handle) => {
      const index = timers.findIndex((timer) => timer.id === handle);
      if (index >= 0) timers.splice(index, 1);
    },
    locks: undefined,
    channel,
  };
  return {
    env,
    timers,
    /** Moves this browser's clock (and the service's) forward. */
    advance(ms: number) {
      offsetMs += ms;
      server.advanceClock(ms);
    },
    /** Runs the next timer (after moving the clock to it). */
    async fireNext() {
      const timer = timers.sort((a, b) => a.atMs - b.atMs).shift();
      if (!timer) throw new Error('no timer scheduled');
      const waitMs = timer.atMs - (Date.now() + offsetMs);
      if (waitMs > 0) this.advance(waitMs);
      timer.run();
      await new Promise((resolve) => setTimeout(resolve, 50));
    },
  };
}

/** Two "tabs" of one browser talk over this (BroadcastChannel's shape). */
function sharedChannel() {
  const tabs: EventTarget[] = [];
  return () => {
    const tab = new EventTarget() as EventTarget & { postMessage(message: unknown): void };
    tab.postMessage = (data) => {
      for (const other of tabs)
        if (other !== tab) other.dispatchEvent(new MessageEvent('message', { data }));
    };
    tabs.push(tab);
    return tab;
  };
}

async function signedInBrowser(email: string) {
  const user = await registerUser(server, { email, password: 'session password' });
  const browser = browserFetch();
  const clock = manualEnvironment();
  const session = new BrowserSession(
    createAuthApi(server.baseUrl, browser.fetch, { refreshCookie: true }),
    clock.env,
  );
  await session.login({ email, password: 'session password' });
  return { user, browser, clock, session };
}

describe('BrowserSession', () => {
  it('keeps the refresh token out of script reach and schedules a silent refresh a minute before expiry', async () => {
    const { user, browser, clock, session } = await signedInBrowser('session-login@example.org');
    expect(session.state).toMatchObject({ status: 'signed-in', user: { id: user.id } });
    expect(browser.jar.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(clock.timers.map((timer) => Math.round((timer.atMs - clock.env.now()) / 1000))).toEqual([
      (ACCESS_TTL_MS - 60_000) / 1000,
    ]);

    const firstToken = await session.accessToken();
    const firstCookie = browser.jar.cookie;
    await clock.fireNext();
    // Rotated: a new cookie and a new access token that the service accepts.
    expect(browser.jar.cookie).not.toBe(firstCookie);
    const secondToken = await session.accessToken();
    expect(secondToken).not.toBe(firstToken);
    expect(await session.request({ method: 'GET', path: '/auth/me' })).toMatchObject({
      id: user.id,
    });
    expect(clock.timers).toHaveLength(1);
  });

  it('signs in again from the cookie after a reload', async () => {
    const { user, browser } = await signedInBrowser('session-reload@example.org');
    const reloaded = new BrowserSession(
      createAuthApi(server.baseUrl, browser.fetch, { refreshCookie: true }),
      manualEnvironment().env,
    );
    expect(reloaded.state).toEqual({ status: 'restoring' });
    await reloaded.restore();
    expect(reloaded.state).toMatchObject({ status: 'signed-in', user: { id: user.id } });
  });

  it('is signed out after a reload without a cookie, with no reason to show', async () => {
    const fresh = new BrowserSession(
      createAuthApi(server.baseUrl, browserFetch().fetch, { refreshCookie: true }),
      manualEnvironment().env,
    );
    await fresh.restore();
    expect(fresh.state).toEqual({ status: 'signed-out' });
  });

  it('refreshes an expired access token before a request', async () => {
    const { user, clock, session } = await signedInBrowser('session-expired@example.org');
    clock.timers.length = 0; // a throttled background tab: the timer never ran
    clock.advance(ACCESS_TTL_MS + 1_000);
    expect(await session.request({ method: 'GET', path: '/auth/me' })).toMatchObject({
      id: user.id,
    });
  });

  it('ends with a reason when the service signs the device out (sign-out everywhere elsewhere)', async () => {
    const { session } = await signedInBrowser('session-ended@example.org');
    const other = await createAuthApi(server.baseUrl).login({
      email: 'session-ended@example.org',
      password: 'session password',
    });
    await createAuthApi(server.baseUrl).logout(other.access_token, { everywhere: true });

    const failure = await session
      .request({ method: 'GET', path: '/auth/me' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthApiError);
    expect(failure).toMatchObject({ status: 401, code: 'signed_out' });
    expect(session.state).toEqual({
      status: 'signed-out',
      reason: 'Your session ended; sign in again.',
    });
  });

  it('stays signed in while the service is unreachable and retries the refresh', async () => {
    const { browser, clock, session } = await signedInBrowser('session-offline@example.org');
    browser.setOffline(true);
    await clock.fireNext();
    expect(session.state.status).toBe('signed-in');
    expect(clock.timers.map((timer) => Math.round((timer.atMs - clock.env.now()) / 1000))).toEqual([
      10,
    ]);
    browser.setOffline(false);
    const cookieBefore = browser.jar.cookie;
    await clock.fireNext();
    expect(browser.jar.cookie).not.toBe(cookieBefore);
    expect(session.state.status).toBe('signed-in');
  });

  it('spends the cookie once for concurrent callers, inside the cross-tab lock', async () => {
    const { browser, clock, session } = await signedInBrowser('session-lock@example.org');
    const lockNames: string[] = [];
    clock.env.locks = {
      request: (async (name: string, callback: () => Promise<unknown>) => {
        lockNames.push(name);
        return callback();
      }) as LockManager['request'],
    };
    clock.advance(ACCESS_TTL_MS + 1_000);
    const before = browser.jar.cookie;
    await Promise.all([
      session.accessToken(),
      session.accessToken(),
      session.request({ method: 'GET', path: '/auth/me' }),
    ]);
    expect(lockNames).toEqual(['attune-refresh']);
    expect(browser.jar.cookie).not.toBe(before);
    // A second spend of the same cookie would have been a replay that revokes the family.
    expect(session.state.status).toBe('signed-in');
  });

  it('signs out with an access token that expired meanwhile: refreshes first, so the device is revoked and the cookie cleared', async () => {
    const { browser, clock, session } = await signedInBrowser('session-sleep@example.org');
    const cookie = browser.jar.cookie;
    clock.timers.length = 0; // the laptop slept: no timer ran
    clock.advance(ACCESS_TTL_MS + 60_000);
    await session.signOut();
    expect(session.state).toEqual({ status: 'signed-out' });
    expect(browser.jar.cookie).toBeUndefined();
    // The device is revoked: neither the cookie it had before nor the rotated one signs in again.
    const refreshed = await createAuthApi(server.baseUrl)
      .refresh(cookie)
      .catch((error: unknown) => error);
    expect(refreshed).toMatchObject({ status: 401 });
  });

  it('says so when the service cannot be reached to sign out', async () => {
    const { browser, session } = await signedInBrowser('session-offline-out@example.org');
    browser.setOffline(true);
    await session.signOut();
    expect(session.state.status).toBe('signed-out');
    expect(session.state).toHaveProperty(
      'reason',
      expect.stringContaining('may still be signed in'),
    );
  });

  it('follows another tab that signs in as someone else', async () => {
    await registerUser(server, {
      email: 'tab-guest-upgrade@example.org',
      password: 'session password',
    });
    const browser = browserFetch();
    const openTab = sharedChannel();
    const api = createAuthApi(server.baseUrl, browser.fetch, { refreshCookie: true });
    const first = new BrowserSession(api, manualEnvironment(openTab()).env);
    const second = new BrowserSession(api, manualEnvironment(openTab()).env);
    const guest = await first.guest();
    await expect.poll(() => second.user?.id).toBe(guest.id);
    const member = await first.login({
      email: 'tab-guest-upgrade@example.org',
      password: 'session password',
    });
    await expect.poll(() => second.user?.id).toBe(member.id);
  });

  it('signs out this device, clears the cookie and tells the other tabs', async () => {
    const email = 'session-tabs@example.org';
    await registerUser(server, { email, password: 'session password' });
    const browser = browserFetch();
    const openTab = sharedChannel();
    const api = createAuthApi(server.baseUrl, browser.fetch, { refreshCookie: true });
    const first = new BrowserSession(api, manualEnvironment(openTab()).env);
    const second = new BrowserSession(api, manualEnvironment(openTab()).env);
    await first.login({ email, password: 'session password' });
    // The other tab hears of the sign-in and restores from the shared cookie.
    await expect.poll(() => second.state.status).toBe('signed-in');

    await first.signOut();
    expect(browser.jar.cookie).toBeUndefined();
    expect(first.state).toEqual({ status: 'signed-out' });
    expect(second.state).toEqual({ status: 'signed-out' });
    const reloaded = new BrowserSession(api, manualEnvironment().env);
    await reloaded.restore();
    expect(reloaded.state.status).toBe('signed-out');
  });
});
