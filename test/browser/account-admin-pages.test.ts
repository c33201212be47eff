import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RegisteredUser,
  type TestServer,
  jsonPost,
  registerUser,
  signWebhook,
  webhookEvent,
} from '@attune/auth-service/testing';
import {
  countNonGuestUsers,
  findSessionById,
  findUserById,
  listLiveDevices,
  setUserRole,
} from '@attune/db';
import { PAGE_PATHS } from '@attune/web-client/routes';
import {
  heading,
  launchChromium,
  newPage,
  screenshotBothWidths,
  signInContext,
  startWebServer,
  toast,
  waitUntil,
} from './browser-harness.ts';

/**
 * The pages added for account recovery and administration, in real headless Chromium against the
 * real auth service: the mail-link pages (forgot / reset / set password, verify email), the
 * Account page, and the admin pages (Users, Live sessions, Audit log) as an admin and a moderator.
 * The flows that follow a mailed link end to end are in account-mail-flows.test.ts.
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
  goto(path: string): Promise<void>;
}

async function open(target: TestServer = server): Promise<Tab> {
  const tab = await newPage(browser);
  contexts.push(tab.context);
  tab.context.setDefaultTimeout(10_000);
  return { ...tab, goto: async (path) => void (await tab.page.goto(`${target.baseUrl}${path}`)) };
}

async function admin(name = 'Ada Admin'): Promise<RegisteredUser> {
  const user = await registerUser(server, { full_name: name });
  setUserRole(server.database.db, user.id, 'admin');
  return user;
}

describe('page paths', () => {
  it('answers every page path with the page, never with an API route', async () => {
    for (const path of PAGE_PATHS) {
      const response = await server.fetch(path, { headers: { accept: 'text/html' } });
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toContain('text/html');
    }
  });
});

describe('pages behind a mail link', () => {
  it('leads from sign-in to Forgot password and shows the one answer for any address', async () => {
    const tab = await open();
    const { page } = tab;
    await tab.goto('/sign-in');
    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await page.waitForURL(`${server.baseUrl}/forgot-password`);
    await heading(page, 'Forgot password').waitFor();
    expect(await page.title()).toBe('Forgot password · Attune');
    await screenshotBothWidths(page, 'forgot-password');

    // Nothing is sent for an empty address.
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.locator('.field__error').filter({ hasText: 'Enter your email address.' }).waitFor();

    await page.getByLabel('Email').fill('nobody-at-all@example.org');
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page
      .getByText('If an account exists for that address, we sent a link to reset its password.')
      .waitFor();
    await screenshotBothWidths(page, 'forgot-password-sent');
    expect(tab.pageErrors).toEqual([]);
  });

  it('takes the reset token out of the address bar before sending it, and checks the two passwords', async () => {
    const tab = await open();
    const { page } = tab;
    const sent: { url: string; body: unknown }[] = [];
    await page.route('**/auth/password/reset', async (route) => {
      sent.push({ url: page.url(), body: route.request().postDataJSON() });
      await route.continue();
    });
    await tab.goto('/reset-password#token=not-a-real-token');
    await heading(page, 'Choose a new password').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/reset-password`);
    expect(await page.evaluate(() => window.location.hash)).toBe('');
    await screenshotBothWidths(page, 'reset-password');

    await page.getByLabel('New password', { exact: true }).fill('a new good password');
    await page.getByLabel('New password again').fill('a different one');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.field__error').filter({ hasText: 'The two passwords differ.' }).waitFor();
    expect(sent).toEqual([]);

    await page.getByLabel('New password again').fill('a new good password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await waitUntil(() => sent.length === 1);
    expect(sent[0]).toEqual({
      url: `${server.baseUrl}/reset-password`,
      body: { token: 'not-a-real-token', new_password: 'a new good password' },
    });
    await page.getByText('The link is not valid any more').waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).click();
    await heading(page, 'Forgot password').waitFor();
    expect(tab.pageErrors).toEqual([]);
  });

  it('titles a set-password link, and explains a link without its token', async () => {
    const tab = await open();
    const { page } = tab;
    await tab.goto('/set-password#token=abc');
    await heading(page, 'Set your password').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/set-password`);
    await page.getByRole('button', { name: 'Set password' }).waitFor();
    await screenshotBothWidths(page, 'set-password');

    await tab.goto('/reset-password');
    await page.getByText('The link is not valid any more').waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
    await screenshotBothWidths(page, 'reset-password-invalid');
    expect(tab.pageErrors).toEqual([]);
  });

  it('verifies an email only on Confirm, with the token from the fragment, once', async () => {
    const tab = await open();
    const { page } = tab;
    const sent: { url: string; body: unknown }[] = [];
    await page.route('**/auth/email/verify', async (route) => {
      sent.push({ url: page.url(), body: route.request().postDataJSON() });
      await route.continue();
    });
    await tab.goto('/verify-email#token=some-token');
    await heading(page, 'Verify your email').waitFor();
    await page.getByText('Confirm this address for your Attune account').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/verify-email`);
    const confirm = page.getByRole('button', { name: 'Confirm', exact: true });
    await confirm.waitFor();
    await screenshotBothWidths(page, 'verify-email-confirm');
    // Opening the link (as a mail scanner does) must not spend the token.
    expect(sent).toEqual([]);

    await confirm.dblclick();
    await page.getByRole('alert').or(page.getByText('Your email address is verified')).waitFor();
    expect(sent).toEqual([
      { url: `${server.baseUrl}/verify-email`, body: { token: 'some-token' } },
    ]);
    await page.getByText('This verification link is not valid any more').waitFor();
    await screenshotBothWidths(page, 'verify-email');
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('sign-in and sign-up refusals', () => {
  it('sends the invitation from the fragment with the sign-up', async () => {
    const tab = await open();
    const { page } = tab;
    const bodies: unknown[] = [];
    await page.route('**/auth/register', async (route) => {
      bodies.push(route.request().postDataJSON());
      await route.continue();
    });
    await tab.goto('/sign-up#invite=invite-token-1');
    await heading(page, 'Create your account').waitFor();
    expect(page.url()).toBe(`${server.baseUrl}/sign-up`);
    await page.getByText('You were invited to Attune').waitFor();
    await screenshotBothWidths(page, 'sign-up-invited');
    await page.getByLabel('Full name').fill('Invited Person');
    await page.getByLabel('Email').fill(`invited-${Date.now()}@example.org`);
    await page.getByLabel('Password').fill('a good password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await waitUntil(() => bodies.length === 1);
    expect(bodies[0]).toMatchObject({
      invite_token: 'invite-token-1',
      full_name: 'Invited Person',
    });
  });

  it('says clearly when the server takes no new accounts', async () => {
    const closed = await startWebServer({ REGISTRATION: 'closed' });
    try {
      const tab = await open(closed);
      const { page } = tab;
      await tab.goto('/sign-up');
      await page.getByLabel('Full name').fill('Late Comer');
      await page.getByLabel('Email').fill(`late-${Date.now()}@example.org`);
      await page.getByLabel('Password').fill('a good password');
      await page.getByRole('button', { name: 'Create account' }).click();
      await page.getByRole('alert').filter({ hasText: 'not taking new accounts' }).waitFor();
      expect(countNonGuestUsers(closed.database.db)).toBe(0);
      await screenshotBothWidths(page, 'sign-up-closed');
    } finally {
      await closed.close();
    }
  });

  it('counts down a throttled sign-in', async () => {
    const user = await registerUser(server);
    await throttle(user.email);
    const tab = await open();
    const { page } = tab;
    await tab.goto('/sign-in');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Too many failed sign-ins' }).waitFor();
    const submit = page.locator('form button[type=submit]');
    const first = await submit.textContent();
    expect(first).toMatch(/^Try again in /);
    expect(await submit.isDisabled()).toBe(true);
    await sleep(1_500);
    expect(await submit.textContent()).not.toBe(first);
    await screenshotBothWidths(page, 'sign-in-throttled');
  });
});

describe('Account', () => {
  it('changes the password, signs out another device, and deletes the account', async () => {
    const user = await registerUser(server, { full_name: 'Carol Account' });
    const other = await open();
    await signInContext(other.context, user, server.baseUrl);
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, user, server.baseUrl);
    await tab.goto('/talk');
    await page.getByRole('button', { name: /Account menu/ }).click();
    await page.getByRole('link', { name: 'Account' }).click();
    await page.waitForURL(`${server.baseUrl}/account`);
    await heading(page, 'Account').waitFor();
    await page.locator('.account-email').filter({ hasText: user.email }).waitFor();

    // Two devices (plus the registration's), this one first and marked.
    const devices = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
    await devices.first().getByText('This device').waitFor();
    expect(await devices.count()).toBe(3);
    await screenshotBothWidths(page, 'account');

    // A wrong current password shows by its field; the right one changes it.
    await page.getByLabel('Current password').nth(1).fill('not my password');
    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByLabel('New password again').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.locator('.field__error').filter({ hasText: 'The password is incorrect' }).waitFor();
    await page.getByLabel('Current password').nth(1).fill(user.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await toast(page, 'Your password was changed').waitFor();
    const login = await jsonPost(server, '/auth/login', {
      email: user.email,
      password: 'a brand new password',
    });
    expect(login.status).toBe(200);

    // The change signed the other devices out; the new sign-in above is one to sign out here.
    await page.reload();
    await heading(page, 'Account').waitFor();
    await devices.first().getByText('This device').waitFor();
    expect(await devices.count()).toBe(2);
    await devices
      .nth(1)
      .getByRole('button', { name: /^Sign out / })
      .click();
    await toast(page, 'was signed out').waitFor();
    expect(await devices.count()).toBe(1);
    expect(listLiveDevices(server.database.db, user.id, Date.now())).toHaveLength(1);

    // Deleting needs the password and a confirmation.
    await page.getByRole('button', { name: 'Delete account' }).click();
    await page.getByText('Enter your password to delete your account.').waitFor();
    await page.locator('input[name=password]').fill('a brand new password');
    await page.getByRole('button', { name: 'Delete account' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await heading(page, 'Sign in').waitFor();
    await page.getByText('Your account was deleted').waitFor();
    expect(findUserById(server.database.db, user.id)).toBeUndefined();
    expect(tab.pageErrors).toEqual([]);
  });

  it('saves the name', async () => {
    const user = await registerUser(server, { full_name: 'Old Name' });
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, user, server.baseUrl);
    await tab.goto('/account');
    await page.getByLabel('Full name').fill('New Name');
    await page.getByRole('button', { name: 'Save name' }).click();
    await toast(page, 'Your name was saved.').waitFor();
    expect(findUserById(server.database.db, user.id)?.fullName).toBe('New Name');
    await page
      .getByRole('button', { name: /Account menu/ })
      .filter({ hasText: 'New Name' })
      .waitFor();
  });

  it('sends a signed-out visitor to sign in first', async () => {
    const tab = await open();
    await tab.goto('/account');
    await tab.page.waitForURL(`${server.baseUrl}/sign-in?next=%2Faccount`);
  });
});

describe('admin pages', () => {
  it('finds, filters, suspends, reactivates, re-roles and deletes users', async () => {
    const me = await admin('Ada Admin');
    const stamp = Date.now();
    const target = await registerUser(server, {
      full_name: 'Zed Target',
      email: `zed-${stamp}@example.org`,
    });
    await registerUser(server, {
      full_name: 'Yolanda Bystander',
      email: `yo-${stamp}@example.org`,
    });
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, server.baseUrl);
    await tab.goto('/talk');
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await page.waitForURL(`${server.baseUrl}/manage/users`);
    await heading(page, 'Users').waitFor();
    const rows = page.getByRole('list', { name: 'Users' }).getByRole('listitem');
    await rows.first().waitFor();
    await screenshotBothWidths(page, 'admin-users');

    await page.getByLabel('Search').fill(`zed-${stamp}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await rows.filter({ hasText: 'Zed Target' }).waitFor();
    await expectCount(rows, 1);

    // Suspend, with a confirmation; then the status filter finds them.
    await page.getByRole('button', { name: 'Suspend Zed Target' }).click();
    await page
      .getByRole('dialog', { name: 'Suspend Zed Target?' })
      .getByRole('button', { name: 'Suspend' })
      .click();
    await toast(page, 'Zed Target was suspended').waitFor();
    expect(findUserById(server.database.db, target.id)?.status).toBe('suspended');
    await page.getByLabel('Status').selectOption('suspended');
    await page.getByText('Loading users…').waitFor({ state: 'hidden' });
    await rows.filter({ hasText: 'Suspended' }).first().waitFor();
    await page.getByRole('button', { name: 'Reactivate Zed Target' }).click();
    await toast(page, 'Zed Target was reactivated').waitFor();
    expect(findUserById(server.database.db, target.id)?.status).toBe('active');
    await page.getByLabel('Status').selectOption('');
    await page.getByText('Loading users…').waitFor({ state: 'hidden' });

    // Role, admin only.
    await page.getByLabel('Role of Zed Target').selectOption('analyst');
    await toast(page, 'Zed Target is now analyst').waitFor();
    expect(findUserById(server.database.db, target.id)?.role).toBe('analyst');

    // The detail view, then delete with a confirmation.
    await page.getByRole('button', { name: 'Details of Zed Target' }).click();
    const detail = rows.filter({ hasText: 'Zed Target' }).locator('.user-row__detail');
    await detail.getByText('Account created').waitFor();
    await page.getByRole('button', { name: 'Delete Zed Target' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete Zed Target?' });
    await dialog.getByRole('button', { name: 'Delete for good' }).click();
    await toast(page, 'Zed Target was deleted').waitFor();
    expect(findUserById(server.database.db, target.id)).toBeUndefined();
    // An admin has no controls for their own row (on a fresh load of the page: see the note on
    // the search field in docs/web-client-pages.md).
    await tab.goto('/manage/users');
    await heading(page, 'Users').waitFor();
    await page.getByLabel('Search').fill('Ada Admin');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await rows.filter({ hasText: 'You' }).first().waitFor();
    expect(await page.getByRole('button', { name: 'Delete Ada Admin' }).count()).toBe(0);
    // The Add user form for admins.
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { name: 'Add a user' }).waitFor();
    await screenshotBothWidths(page, 'admin-users-add');
    expect(tab.pageErrors).toEqual([]);
  });

  it('lists a live session and terminates it, and says when LiveKit cannot list rooms', async () => {
    const me = await admin('Sam Sessions');
    const talker = await registerUser(server, { full_name: 'Terry Talker' });
    const minted = await jsonPost(server, '/auth/token', {}, talker.accessToken);
    const { session_id: sessionId, room_name: room } = (await minted.json()) as {
      session_id: string;
      room_name: string;
    };
    const { body, headers } = await signWebhook(
      webhookEvent({
        event: 'participant_joined',
        room,
        createdAtSeconds: Math.floor(Date.now() / 1000),
        participant: {
          identity: talker.id,
          attributes: { 'attune.user_id': talker.id, 'attune.session_id': sessionId },
          joinedAtMs: Date.now(),
        },
      }),
      server.config.livekit.apiKey,
      server.config.livekit.apiSecret,
    );
    await server.fetch('/livekit/webhook', { method: 'POST', headers, body });
    expect(findSessionById(server.database.db, sessionId)?.status).toBe('active');

    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, server.baseUrl);
    await tab.goto('/manage/sessions');
    await heading(page, 'Live sessions').waitFor();
    // No LiveKit server runs in tests: the rooms card says so instead of showing nothing.
    const roomsCard = page.locator('section', {
      has: page.getByRole('heading', { name: 'Rooms in LiveKit' }),
    });
    await roomsCard
      .getByRole('alert')
      .filter({ hasText: 'LiveKit could not be reached' })
      .waitFor();
    const row = page
      .getByRole('list', { name: 'Sessions' })
      .getByRole('listitem')
      .filter({ hasText: room });
    await row.waitFor();
    await screenshotBothWidths(page, 'admin-sessions');
    await row.getByRole('button', { name: /^Terminate/ }).click();
    await page
      .getByRole('dialog', { name: 'Terminate this session?' })
      .getByRole('button', { name: 'Terminate' })
      .click();
    await toast(page, 'The session was terminated.').waitFor();
    expect(findSessionById(server.database.db, sessionId)?.status).toBe('ended');
    await expectCount(row, 0);
    expect(tab.pageErrors).toEqual([]);
  });

  it('filters the audit log by action, user and period', async () => {
    const me = await admin('Audrey Auditor');
    const changed = await registerUser(server, { full_name: 'Rolf Role' });
    const patched = await server.fetch(`/admin/users/${changed.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${me.accessToken}` },
      body: JSON.stringify({ role: 'analyst' }),
    });
    expect(patched.status).toBe(200);
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, server.baseUrl);
    await tab.goto('/manage/audit');
    await heading(page, 'Audit log').waitFor();
    const entries = page.getByRole('list', { name: 'Audit entries' }).getByRole('listitem');
    await entries.first().waitFor();
    await screenshotBothWidths(page, 'admin-audit');

    await page.getByLabel('Action').fill('role_change');
    await page.getByLabel('User id').fill(changed.id);
    await page.getByRole('button', { name: 'Apply' }).click();
    await entries.filter({ hasText: 'Role change' }).first().waitFor();
    await expectCount(entries, 1);
    // The actor by name, looked up by id.
    await entries.first().filter({ hasText: 'Audrey Auditor' }).waitFor();

    // A period that ends before it starts is not sent; a past period has no entries.
    await page.getByLabel('From').fill('2020-02-01');
    await page.getByLabel('To').fill('2020-01-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('The start date is after the end date.').waitFor();
    await page.getByLabel('To').fill('2020-03-01');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'No entries' }).waitFor();
    expect(tab.pageErrors).toEqual([]);
  });

  it('keeps plain users out: no Admin entry, and the page says it is not for them', async () => {
    const user = await registerUser(server);
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, user, server.baseUrl);
    await tab.goto('/manage/users');
    await page
      .getByRole('heading', { name: 'This page is for administrators and moderators' })
      .waitFor();
    expect(
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Admin' })
        .count(),
    ).toBe(0);
  });

  it('unlocks a throttled account from the Users page, and the right password signs in', async () => {
    const me = await admin('Uma Unlocker');
    const stamp = Date.now();
    const locked = await registerUser(server, {
      full_name: 'Lou Locked',
      email: `lou-${stamp}@example.org`,
    });
    await throttle(locked.email);
    const refused = await jsonPost(server, '/auth/login', {
      email: locked.email,
      password: locked.password,
    });
    expect(refused.status).toBe(429);

    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, server.baseUrl);
    await tab.goto('/manage/users');
    await page.getByLabel('Search').fill(`lou-${stamp}`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const row = page
      .getByRole('list', { name: 'Users' })
      .getByRole('listitem')
      .filter({ hasText: 'Lou Locked' });
    await row.waitFor();
    await page.getByRole('button', { name: 'Details of Lou Locked' }).click();
    const detail = row.locator('.user-row__detail');
    await detail.getByText(/^Throttled after failed passwords, until /).waitFor();
    await screenshotBothWidths(page, 'admin-users-throttled');

    await page.getByRole('button', { name: 'Unlock sign-in for Lou Locked' }).click();
    await toast(page, 'Lou Locked can sign in again at once.').waitFor();
    await detail.getByText('Not throttled').waitFor();

    // The owner signs in with the right password in their own browser.
    const owner = await open();
    await owner.goto('/sign-in');
    await owner.page.getByLabel('Email').fill(locked.email);
    await owner.page.getByLabel('Password').fill(locked.password);
    await owner.page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await owner.page.waitForURL(`${server.baseUrl}/talk`);
    expect(tab.pageErrors).toEqual([]);
    expect(owner.pageErrors).toEqual([]);
  });

  it('shows a moderator the Admin entry, and only the controls moderators may use', async () => {
    const moderator = await registerUser(server, { full_name: 'Mo Derator' });
    setUserRole(server.database.db, moderator.id, 'moderator');
    const stamp = Date.now();
    await registerUser(server, { full_name: 'Pat Plain', email: `pat-${stamp}@example.org` });
    const boss = await registerUser(server, {
      full_name: 'Bo Boss',
      email: `bo-${stamp}@example.org`,
    });
    setUserRole(server.database.db, boss.id, 'admin');
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, moderator, server.baseUrl);
    await tab.goto('/talk');
    await page
      .getByRole('button', { name: /Account menu/ })
      .filter({ hasText: 'Moderator' })
      .waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Admin' })
      .click();
    await page.waitForURL(`${server.baseUrl}/manage/users`);
    await heading(page, 'Users').waitFor();
    await page.getByLabel('Search').fill(`-${stamp}@`);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Suspend Pat Plain' }).waitFor();
    // The service refuses a moderator an admin's status: the page offers no such button.
    await page.getByRole('button', { name: 'Unlock sign-in for Bo Boss' }).waitFor();
    expect(await page.getByRole('button', { name: 'Suspend Bo Boss' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete / }).count()).toBe(0);
    expect(await page.getByLabel(/^Role of /).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Add user' }).count()).toBe(0);
    await screenshotBothWidths(page, 'admin-users-moderator');
    expect(tab.pageErrors).toEqual([]);
  });
});

/** Wrong passwords through the API from this IP until the service throttles the account. */
async function throttle(email: string): Promise<void> {
  for (let i = 0; i < 10; i += 1) {
    const answer = await jsonPost(server, '/auth/login', { email, password: 'wrong password' });
    if (answer.status === 429) {
      const { error } = (await answer.json()) as { error: { code: string } };
      expect(error.code).toBe('login_throttled');
      return;
    }
    expect(answer.status).toBe(401);
  }
  throw new Error(`${email} was not throttled after 10 wrong passwords`);
}

async function expectCount(locator: ReturnType<Page['locator']>, count: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline) expect(await locator.count()).toBe(count);
    await sleep(50);
  }
}
