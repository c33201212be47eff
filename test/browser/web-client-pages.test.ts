import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RegisteredUser,
  type TestServer,
  authedGet,
  jsonPost,
  registerUser,
  signWebhook,
  webhookEvent,
} from '@attune/auth-service/testing';
import {
  findUserByEmail,
  insertConversationTurn,
  listHistoryPage,
  listLiveDevices,
  listPreferences,
  refreshTokens,
  setUserRole,
} from '@attune/db';
import { insertEndedSession } from '@attune/db/testing';
import {
  heading,
  launchChromium,
  newPage,
  screenshotBothWidths,
  signInContext,
  startWebServer,
  waitUntil,
} from './browser-harness.ts';

/**
 * The web client's pages (everything but Talk) in real headless Chromium against the real auth
 * service and a real SQLite file: sign-up, sign-in, guests, Memory, History, Dashboard, sign-out,
 * cookie restore and silent refresh. Each test has its own browser context (no shared cookies).
 */

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startWebServer(), launchChromium()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await browser?.close();
  await server?.close();
});

interface Tab {
  context: BrowserContext;
  page: Page;
  pageErrors: Error[];
  /** Content-Security-Policy violations the page reported in its console. */
  cspViolations: string[];
}

async function open(
  target: TestServer = server,
): Promise<Tab & { goto(path: string): Promise<void> }> {
  const tab = await newPage(browser);
  contexts.push(tab.context);
  // Fail with the locator that did not turn up rather than the test's own timeout.
  tab.context.setDefaultTimeout(10_000);
  const cspViolations: string[] = [];
  tab.page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  return {
    ...tab,
    cspViolations,
    goto: async (path) => {
      await tab.page.goto(`${target.baseUrl}${path}`);
    },
  };
}

/** Nothing went wrong inside the page while the test ran. */
function expectCleanPage(tab: Tab): void {
  expect(tab.pageErrors.map((error) => error.message)).toEqual([]);
  expect(tab.cspViolations).toEqual([]);
}

const accountMenu = (page: Page) => page.getByRole('button', { name: /Account menu/ });
const url = (path: string, target: TestServer = server) => `${target.baseUrl}${path}`;

/** Mints a LiveKit token for the user and plays LiveKit's join and leave webhooks for it. */
async function playSession(
  user: RegisteredUser,
  joinedAtS: number,
  durationS: number,
): Promise<{ sessionId: string; room: string }> {
  const minted = await jsonPost(server, '/auth/token', {}, user.accessToken);
  expect(minted.status).toBe(201);
  const { session_id: sessionId, room_name: room } = (await minted.json()) as {
    session_id: string;
    room_name: string;
  };
  const participant = {
    identity: user.id,
    attributes: { 'attune.user_id': user.id, 'attune.session_id': sessionId },
    joinedAtMs: joinedAtS * 1000,
  };
  for (const [event, at] of [
    ['participant_joined', joinedAtS],
    ['participant_left', joinedAtS + durationS],
  ] as const) {
    const { body, headers } = await signWebhook(
      webhookEvent({ event, room, createdAtSeconds: at, participant }),
      server.config.livekit.apiKey,
      server.config.livekit.apiSecret,
    );
    const response = await server.fetch('/livekit/webhook', { method: 'POST', headers, body });
    expect(await response.json()).toEqual({ received: true, outcome: 'applied' });
  }
  return { sessionId, room };
}

describe('signing up and in', () => {
  it('signs up through the form, with the service’s validation and email-taken messages, lands on Talk, and starts with an empty memory', async () => {
    const tab = await open();
    const { page } = tab;
    const taken = await registerUser(server, { email: `taken-${Date.now()}@example.org` });
    await tab.goto('/sign-up');
    await heading(page, 'Create your account').waitFor();
    expect(await page.title()).toBe('Create your account · Attune');
    await screenshotBothWidths(page, 'sign-up');

    // The service refuses a short password; its issue message shows by the field.
    await page.getByLabel('Full name').fill('Grace Hopper');
    await page.getByLabel('Email').fill(taken.email);
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .locator('.field__error')
      .filter({ hasText: 'Password must be 8 to 72 bytes long (UTF-8).' })
      .waitFor();
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('alert').first().textContent()).toContain(
      'Password must be 8 to 72 bytes',
    );

    // A taken email: 409 from the service, shown by the email field.
    await page.getByLabel('Password').fill('compilers are fun');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'An account with this email already exists' })
      .waitFor();

    const email = `grace-${Date.now()}@example.org`;
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(url('/talk'));
    await accountMenu(page).filter({ hasText: 'Grace Hopper' }).waitFor();

    const stored = findUserByEmail(server.database.db, email);
    expect(stored).toMatchObject({
      email,
      fullName: 'Grace Hopper',
      role: 'user',
      status: 'active',
    });

    // A new account's memory is empty, and the page says how it fills up.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Memory' })
      .click();
    await page.getByRole('heading', { name: 'Nothing remembered yet' }).waitFor();
    await page.getByText('Remember that I prefer metric units').waitFor();
    expectCleanPage(tab);
  });

  it('sends a signed-out visitor to sign in and back to the page they asked for', async () => {
    const tab = await open();
    const { page } = tab;
    const user = await registerUser(server, { full_name: 'Ada Lovelace' });
    await tab.goto('/memory');
    await page.waitForURL(url('/sign-in?next=%2Fmemory'));
    await heading(page, 'Sign in').waitFor();
    expect(await page.title()).toBe('Sign in · Attune');
    await screenshotBothWidths(page, 'sign-in');

    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/memory'));
    await heading(page, 'Memory').waitFor();
    expect(await page.title()).toBe('Memory · Attune');
    await accountMenu(page).filter({ hasText: 'Ada Lovelace' }).waitFor();

    // In-page navigation moves focus to the new page's heading and marks the current nav link.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'History' })
      .click();
    await page.waitForURL(url('/history'));
    await heading(page, 'History').waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('History');
    expect(await page.getByRole('link', { name: 'History' }).getAttribute('aria-current')).toBe(
      'page',
    );
    // A plain user has no Dashboard link.
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Dashboard' })
        .count(),
    ).toBe(0);
    expectCleanPage(tab);
  });

  it("shows the service's message for a wrong password", async () => {
    const tab = await open();
    const { page } = tab;
    const user = await registerUser(server);
    await tab.goto('/sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'Email or password is incorrect' });
    await alert.waitFor();
    expect(page.url()).toBe(url('/sign-in'));
    expect(await page.getByLabel('Email').inputValue()).toBe(user.email);
    expectCleanPage(tab);
  });

  it('lets a visitor try as a guest: Talk as a guest, and Memory explains guests have none', async () => {
    const tab = await open();
    const { page } = tab;
    await tab.goto('/sign-in');
    await page.getByRole('button', { name: 'Try as a guest' }).click();
    await page.waitForURL(url('/talk'));
    await accountMenu(page).filter({ hasText: 'Guest' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Memory' })
      .click();
    await page.getByRole('heading', { name: 'Guests have no memory' }).waitFor();
    await page.getByText('Sign up to keep preferences').waitFor();
    expect(await page.getByRole('alert').count()).toBe(0);
    await screenshotBothWidths(page, 'memory-guest');
    expectCleanPage(tab);
  });
});

describe('refusals from a stricter server', () => {
  it('says when guests are turned off, and how long to wait when rate limited', async () => {
    // Two auth-class requests a minute: the guest try and one sign-in (the page's restore attempt
    // is a refresh, which has its own class).
    const strict = await startWebServer({
      ENABLE_GUEST_ACCESS: 'false',
      RATE_LIMIT_AUTH_PER_MINUTE: '2',
    });
    try {
      const tab = await open(strict);
      const { page } = tab;
      await tab.goto('/sign-in');
      await heading(page, 'Sign in').waitFor();
      await page.getByRole('button', { name: 'Try as a guest' }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: 'Guest access is turned off on this server; sign up instead' })
        .waitFor();

      await page.getByLabel('Email').fill('someone@example.org');
      await page.getByLabel('Password').fill('a wrong password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: 'Email or password is incorrect' }).waitFor();
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page
        .getByRole('alert')
        .filter({ hasText: /^Too many attempts\. Try again in (\d+ seconds|1 minute)\.$/ })
        .waitFor();
      // The form waits out the Retry-After itself.
      const submit = page.locator('form button[type=submit]');
      expect(await submit.textContent()).toMatch(/^Try again in \d+ s$/);
      expect(await submit.isDisabled()).toBe(true);
      expectCleanPage(tab);
    } finally {
      await strict.close();
    }
  });
});

describe('Memory', () => {
  it('lists, edits, adds and deletes preferences, each reflected in the database, and exports the data', async () => {
    const tab = await open();
    const { page, context } = tab;
    const user = await registerUser(server, { full_name: 'Mary Somerville' });
    const initial: [string, string][] = [
      ['units', 'metric'],
      ['answer length', 'short answers'],
      ['favourite music', 'Bach cello suites'],
    ];
    for (const [key, value] of initial) {
      const response = await server.fetch(`/me/preferences/${encodeURIComponent(key)}`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${user.accessToken}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ value }),
      });
      expect(response.status).toBe(200);
    }
    const stored = () =>
      Object.fromEntries(listPreferences(server.database.db, user.id).map((p) => [p.key, p.value]));

    await signInContext(context, user, server.baseUrl);
    await tab.goto('/memory');
    const list = page.getByRole('list', { name: 'Preferences' });
    await list.getByText('Bach cello suites').waitFor();
    expect(await list.getByRole('listitem').count()).toBe(3);
    await screenshotBothWidths(page, 'memory');

    // Edit inline.
    await page.getByRole('button', { name: 'Edit units' }).click();
    const input = page.getByLabel('units', { exact: true });
    await input.fill('imperial');
    await input.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Saved “units”.' }).waitFor();
    await list.getByText('imperial').waitFor();
    expect(stored().units).toBe('imperial');

    // Add one (the service normalises the key).
    await page.getByLabel('Name', { exact: true }).fill('Home_Town');
    await page.getByLabel('Value', { exact: true }).fill('Jedburgh');
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await list.getByText('Jedburgh').waitFor();
    expect(stored()['home town']).toBe('Jedburgh');

    // Delete one, after confirming.
    await page.getByRole('button', { name: 'Delete favourite music' }).click();
    const dialog = page.getByRole('dialog', { name: 'Forget this preference?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Forget it' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await list.getByText('Bach cello suites').waitFor({ state: 'detached' });
    expect(stored()).toEqual({
      units: 'imperial',
      'answer length': 'short answers',
      'home town': 'Jedburgh',
    });

    // Export: a real download of the JSON document.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    const exported = await readFile(await download.path(), 'utf8');
    expect(exported).toContain(user.email);
    expect(exported).toContain('Jedburgh');
    expectCleanPage(tab);
  });
});

describe('History', () => {
  it('shows a session played through the token and webhook routes, its duration and transcript, and deletes the history', async () => {
    const tab = await open();
    const { page, context } = tab;
    const user = await registerUser(server, { full_name: 'Alan Turing' });
    const joinedAtS = Math.floor(Date.now() / 1000) - 600;
    const { sessionId, room } = await playSession(user, joinedAtS, 252);
    const said = [
      ['user', 'Remember that I prefer metric units.'],
      ['assistant', 'Got it, I will use metric units from now on.'],
      ['user', 'How far is a marathon?'],
      ['assistant', 'A marathon is 42.195 kilometres.'],
    ] as const;
    said.forEach(([role, text], i) =>
      insertConversationTurn(
        server.database.db,
        { userId: user.id, sessionId, role, text },
        (joinedAtS + 5 + i * 20) * 1000,
      ),
    );

    await signInContext(context, user, server.baseUrl);
    await tab.goto('/history');
    const row = page.getByRole('button', { name: /4 min 12 s/ });
    await row.waitFor();
    expect(await row.textContent()).toContain(room);
    expect(await row.getAttribute('aria-expanded')).toBe('false');
    await row.click();
    await page.getByText('A marathon is 42.195 kilometres.').waitFor();
    expect(await row.getAttribute('aria-expanded')).toBe('true');
    const transcript = page.getByRole('list', { name: /Transcript of/ });
    expect(await transcript.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('Remember that I prefer metric units.'),
      expect.stringContaining('Got it, I will use metric units from now on.'),
      expect.stringContaining('How far is a marathon?'),
      expect.stringContaining('A marathon is 42.195 kilometres.'),
    ]);
    // The tokens minted at sign-up and sign-in were never joined: hidden until asked for.
    const unused = page.locator('.session--unused');
    expect(await unused.count()).toBe(0);
    await page.getByLabel('Show rooms never joined').check();
    await unused.filter({ hasText: 'Not joined yet' }).first().waitFor();
    expect(await unused.count()).toBe(2);
    await page.getByLabel('Show rooms never joined').uncheck();
    await screenshotBothWidths(page, 'history');

    await page.getByRole('button', { name: 'Delete history' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your conversation history?' });
    await dialog.getByRole('button', { name: 'Delete history' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Your conversation history was deleted.' })
      .waitFor();
    expect(listHistoryPage(server.database.db, user.id, { limit: 10 }).groups).toEqual([]);
    // The session stays, its transcript is gone.
    await row.click();
    await page.getByText('No transcript was kept for this session.').waitFor();
    expectCleanPage(tab);
  });
});

describe('signing out', () => {
  it('signs out, and a reload shows the sign-in page because the cookie is gone', async () => {
    const tab = await open();
    const { page, context } = tab;
    const user = await registerUser(server, { full_name: 'Emmy Noether' });
    await signInContext(context, user, server.baseUrl);
    await tab.goto('/history');
    await heading(page, 'History').waitFor();
    expect((await context.cookies()).map((cookie) => cookie.name)).toContain('attune_refresh');
    expect(listLiveDevices(server.database.db, user.id, Date.now())).toHaveLength(2);

    await accountMenu(page).click();
    expect(await accountMenu(page).getAttribute('aria-expanded')).toBe('true');
    await screenshotBothWidths(page, 'account-menu');
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(url('/sign-in'));
    await heading(page, 'Sign in').waitFor();
    expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('attune_refresh');

    await page.reload();
    await heading(page, 'Sign in').waitFor();
    await tab.goto('/memory');
    await page.waitForURL(url('/sign-in?next=%2Fmemory'));
    // The browser's device is signed out; registerUser's own device is untouched.
    expect(listLiveDevices(server.database.db, user.id, Date.now())).toHaveLength(1);
    expectCleanPage(tab);
  });

  it('signs out everywhere: another browser signed in as the same user is signed out on its next call', async () => {
    const first = await open();
    const second = await open();
    const user = await registerUser(server, { full_name: 'Sophie Germain' });
    // registerUser's own device is a third one.
    await signInContext(first.context, user, server.baseUrl);
    await signInContext(second.context, user, server.baseUrl);
    await first.goto('/memory');
    await second.goto('/memory');
    await heading(first.page, 'Memory').waitFor();
    await heading(second.page, 'Memory').waitFor();
    expect(listLiveDevices(server.database.db, user.id, Date.now())).toHaveLength(3);

    await accountMenu(first.page).click();
    await first.page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await first.page.waitForURL(url('/sign-in'));
    expect(listLiveDevices(server.database.db, user.id, Date.now())).toEqual([]);

    // The second browser still shows Memory; its next API call finds its device signed out.
    await second.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'History' })
      .click();
    await second.page.waitForURL(url('/sign-in?next=%2Fhistory'));
    await second.page
      .getByRole('status')
      .filter({ hasText: 'Your session ended; sign in again.' })
      .waitFor();
    expect(await authedGet(server, '/auth/me', user.accessToken).then((r) => r.status)).toBe(401);
    expectCleanPage(first);
    expectCleanPage(second);
  });
});

describe('staying signed in', () => {
  it('restores the session from the cookie on reload, and keeps the access token out of storage and cookies', async () => {
    const tab = await open();
    const { page } = tab;
    const user = await registerUser(server, { full_name: 'Lise Meitner' });
    const tokens: string[] = [];
    const refreshTokensInBodies: string[] = [];
    page.on('response', async (response) => {
      if (/\/auth\/(login|refresh)$/.test(response.url()) && response.ok()) {
        const body = (await response.json().catch(() => ({}))) as {
          access_token?: string;
          refresh_token?: string;
        };
        if (body.access_token) tokens.push(body.access_token);
        if (body.refresh_token) refreshTokensInBodies.push(body.refresh_token);
      }
    });
    await tab.goto('/sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(url('/talk'));
    await tab.goto('/memory');
    await heading(page, 'Memory').waitFor();
    await page.reload();
    await heading(page, 'Memory').waitFor();
    await accountMenu(page).filter({ hasText: 'Lise Meitner' }).waitFor();
    expect(page.url()).toBe(url('/memory'));

    expect(tokens.length).toBeGreaterThanOrEqual(2);
    // Browser mode: the refresh token never appears in a body the page can read.
    expect(refreshTokensInBodies).toEqual([]);
    const stored = await page.evaluate(() => ({
      local: Object.keys(localStorage)
        .map((key) => `${key}=${localStorage.getItem(key)}`)
        .join('\n'),
      session: Object.keys(sessionStorage)
        .map((key) => `${key}=${sessionStorage.getItem(key)}`)
        .join('\n'),
      cookie: document.cookie,
    }));
    for (const token of tokens) {
      expect(stored.local).not.toContain(token);
      expect(stored.session).not.toContain(token);
      expect(stored.cookie).not.toContain(token);
    }
    // The refresh cookie is httpOnly: the page cannot see it at all.
    expect(stored.cookie).not.toContain('attune_refresh');
    expectCleanPage(tab);
  });

  it('refreshes the access token silently before it expires, and keeps working after the first one expired', async () => {
    const shortLived = await startWebServer({ ACCESS_TOKEN_TTL_SECONDS: '5' });
    try {
      const tab = await open(shortLived);
      const { page, context } = tab;
      const user = await registerUser(shortLived, { full_name: 'Rosalind Franklin' });
      const refreshes: { at: number; token: string }[] = [];
      page.on('response', async (response) => {
        if (response.url().endsWith('/auth/refresh') && response.ok()) {
          const body = (await response.json()) as { access_token: string };
          refreshes.push({ at: Date.now(), token: body.access_token });
        }
      });
      await signInContext(context, user, shortLived.baseUrl);
      await tab.goto('/memory');
      await heading(page, 'Memory').waitFor();
      // The first refresh restored the page from the cookie; the second is the timer's, before the 5 s are up.
      await waitUntil(() => refreshes.length >= 2, 10_000);
      const first = refreshes[0]!;
      expect(refreshes[1]!.at - first.at).toBeLessThan(5_000);

      // Each refresh rotated the device's refresh token: login + 2 refreshes = 3 rows of one family.
      const rows = shortLived.database.db
        .select()
        .from(refreshTokens)
        .all()
        .filter((row) => row.userId === user.id);
      const perFamily = new Map<string, number>();
      for (const row of rows) perFamily.set(row.familyId, (perFamily.get(row.familyId) ?? 0) + 1);
      // registerUser's device has its one token; the browser's has the login's and one per refresh.
      expect([...perFamily.values()].sort()).toEqual([1, refreshes.length + 1]);

      // Once the first access token has expired, the page still works (it holds a newer one).
      await waitUntil(() => Date.now() > first.at + 5_500, 10_000);
      expect((await authedGet(shortLived, '/auth/me', first.token)).status).toBe(401);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'History' })
        .click();
      // The sessions list only shows once /me/sessions answered (the sign-in tokens are its rows).
      await page.getByRole('heading', { level: 2, name: 'Sessions' }).waitFor();
      expect(page.url()).toBe(url('/history', shortLived));
      expectCleanPage(tab);
    } finally {
      await shortLived.close();
    }
  });
});

describe('Dashboard', () => {
  it('draws session minutes per day for an analyst, with the statistics and a table, and follows the period', async () => {
    const tab = await open();
    const { page, context } = tab;
    const analyst = await registerUser(server, { full_name: 'Florence Nightingale' });
    setUserRole(server.database.db, analyst.id, 'analyst');
    const someone = await registerUser(server);
    const DAY = 86_400_000;
    const noon = (daysAgo: number) =>
      Date.parse(
        `${new Date(Date.now() - daysAgo * DAY).toISOString().slice(0, 10)}T12:00:00.000Z`,
      );
    // Two days back and more: the History test played a session minutes ago (today, or yesterday just after midnight).
    const sessions: [number, number][] = [
      [2, 300],
      [2, 900],
      [3, 1_800],
      [4, 120],
      [6, 2_400],
      [20, 600],
    ];
    for (const [daysAgo, seconds] of sessions) {
      insertEndedSession(server.database.db, {
        userId: someone.id,
        roomName: `room-${daysAgo}`,
        issuedAtMs: noon(daysAgo) - 5_000,
        startMs: noon(daysAgo),
        durationSeconds: seconds,
      });
    }

    await signInContext(context, analyst, server.baseUrl);
    await tab.goto('/talk');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Dashboard' })
      .click();
    await heading(page, 'Dashboard').waitFor();
    const chart = page.getByRole('img', { name: /Minutes talked per day, last 30 days/ });
    await chart.waitFor();
    // Earlier tests played sessions today; this test's days are all in the past.
    const bars = chart.locator('rect.bar-chart__bar');
    const barTitles = await bars.locator('title').allTextContents();
    expect(barTitles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/: 20 min in 2 sessions$/),
        expect.stringMatching(/: 30 min in 1 session$/),
      ]),
    );
    expect(await chart.locator('.bar-chart__tick').count()).toBeGreaterThanOrEqual(3);
    // The table: a row per day with sessions, e.g. two days ago: 2 sessions, 20 min in total, 10 min mean, 15 min max.
    const rows = await page.getByRole('table').getByRole('row').allTextContents();
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(
      rows.some(
        (row) => row.includes('20 min') && row.includes('10 min') && row.includes('15 min'),
      ),
    ).toBe(true);
    await page.getByText('Sessions', { exact: true }).first().waitFor();
    await screenshotBothWidths(page, 'dashboard');

    // The 20-days-ago session leaves the chart for the last 7 days.
    const before = await bars.count();
    await page.getByRole('radio', { name: 'Last 7 days' }).check();
    await page.getByRole('img', { name: /last 7 days/ }).waitFor();
    const after = await page
      .getByRole('img', { name: /last 7 days/ })
      .locator('rect.bar-chart__bar')
      .count();
    expect(after).toBe(before - 1);
    expectCleanPage(tab);
  });

  it('tells a plain user they are not allowed', async () => {
    const tab = await open();
    const user = await registerUser(server);
    await signInContext(tab.context, user, server.baseUrl);
    await tab.goto('/dashboard');
    await tab.page
      .getByRole('heading', { name: 'You are not allowed to see the dashboard' })
      .waitFor();
    expect(await tab.page.getByRole('img').count()).toBe(0);
    await screenshotBothWidths(tab.page, 'dashboard-not-allowed');
    expectCleanPage(tab);
  });
});

describe('unknown pages', () => {
  it('shows a Not found page', async () => {
    const tab = await open();
    await tab.goto('/no-such-page');
    await heading(tab.page, 'Page not found').waitFor();
    expect(await tab.page.title()).toBe('Page not found · Attune');
    await screenshotBothWidths(tab.page, 'not-found');
    expectCleanPage(tab);
  });
});
