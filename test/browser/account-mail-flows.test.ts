import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type RegisteredUser,
  type TestServer,
  jsonPost,
  linkIn,
  nextMailAbout,
  registerUser,
} from '@attune/auth-service/testing';
import { findUserByEmail, findUserById, setUserRole } from '@attune/db';
import {
  type MailingWebServer,
  heading,
  launchChromium,
  newPage,
  screenshotBothWidths,
  signInContext,
  startMailingWebServer,
  toast,
} from './browser-harness.ts';

/**
 * Every flow that goes through a mailbox, end to end: headless Chromium, the real auth service
 * serving the built client, and a real SMTP server on loopback that receives the mails. Each link
 * is read out of the received mail and opened in the browser exactly as mailed (PUBLIC_URL is the
 * origin the browser uses).
 */

let mailing: MailingWebServer;
let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [mailing, browser] = await Promise.all([startMailingWebServer(), launchChromium()]);
  server = mailing.server;
}, 120_000);

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close().catch(() => undefined)));
  await browser?.close();
  await mailing?.close();
});

interface Tab {
  context: BrowserContext;
  page: Page;
  pageErrors: Error[];
  goto(path: string): Promise<void>;
}

async function open(): Promise<Tab> {
  const tab = await newPage(browser);
  contexts.push(tab.context);
  tab.context.setDefaultTimeout(10_000);
  return {
    ...tab,
    goto: async (path) => void (await tab.page.goto(`${mailing.publicUrl}${path}`)),
  };
}

/** Signs in through the sign-in page and waits for Talk, where signing in leads. */
async function signInThroughPage(tab: Tab, email: string, password: string): Promise<void> {
  await tab.goto('/sign-in');
  await tab.page.getByLabel('Email').fill(email);
  await tab.page.getByLabel('Password').fill(password);
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await tab.page.waitForURL(`${mailing.publicUrl}/talk`);
}

/** The link to `page` in the next mail to `to` whose subject matches; it must start with PUBLIC_URL. */
async function mailedLink(to: string, subject: RegExp, page: string): Promise<string> {
  const mail = await nextMailAbout(mailing.sink, to, subject);
  const { link } = linkIn(mail, page);
  expect(link.startsWith(`${mailing.publicUrl}/${page}#`), link).toBe(true);
  return link;
}

async function admin(name: string): Promise<RegisteredUser> {
  const user = await registerUser(server, { full_name: name });
  setUserRole(server.database.db, user.id, 'admin');
  return user;
}

const uniqueEmail = (who: string) =>
  `${who}-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.org`;

describe('password reset by mail', () => {
  it('mails a reset link that sets a new password; the old one no longer signs in', async () => {
    const user = await registerUser(server, {
      full_name: 'Fay Forgetful',
      email: uniqueEmail('fay'),
    });
    const tab = await open();
    const { page } = tab;
    await tab.goto('/forgot-password');
    await page.getByLabel('Email').fill(user.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page
      .getByText('If an account exists for that address, we sent a link to reset its password.')
      .waitFor();

    await page.goto(await mailedLink(user.email, /^Reset your/, 'reset-password'));
    await heading(page, 'Choose a new password').waitFor();
    await page.getByLabel('New password', { exact: true }).fill('a freshly chosen password');
    await page.getByLabel('New password again').fill('a freshly chosen password');
    await page.getByRole('button', { name: 'Change password' }).click();
    await heading(page, 'Your password was changed').waitFor();
    await screenshotBothWidths(page, 'reset-password-done');

    // The old password is refused on the sign-in page, the new one signs in.
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(page.url()).toBe(`${mailing.publicUrl}/sign-in`);
    await page.getByLabel('Password').fill('a freshly chosen password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${mailing.publicUrl}/talk`);
    const old = await jsonPost(server, '/auth/login', {
      email: user.email,
      password: user.password,
    });
    expect(old.status).toBe(401);
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('email verification by mail', () => {
  it('mails a link at sign-up that verifies the address, shown on the Account page', async () => {
    const email = uniqueEmail('vera');
    const tab = await open();
    const { page } = tab;
    await tab.goto('/sign-up');
    await page.getByLabel('Full name').fill('Vera Verified');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a good password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${mailing.publicUrl}/talk`);

    await tab.goto('/account');
    await page.getByRole('region', { name: 'Email verification' }).waitFor();
    await page.locator('.status-badge').filter({ hasText: 'Not verified' }).waitFor();
    await screenshotBothWidths(page, 'account-unverified');

    await page.goto(await mailedLink(email, /^Confirm your email/, 'verify-email'));
    const confirm = page.getByRole('button', { name: 'Confirm', exact: true });
    await confirm.waitFor();
    // Opening the link alone (as a mail scanner that runs scripts does) verifies nothing.
    await page.waitForLoadState('networkidle');
    expect(findUserByEmail(server.database.db, email)?.emailVerifiedAt).toBeNull();
    await confirm.click();
    await page.getByText('Your email address is verified').waitFor();
    await screenshotBothWidths(page, 'verify-email-done');
    await page.getByRole('link', { name: 'Go to your account' }).click();
    await heading(page, 'Account').waitFor();
    await page
      .locator('.status-badge')
      .filter({ hasText: /^Verified$/ })
      .waitFor();
    expect(await page.getByRole('region', { name: 'Email verification' }).count()).toBe(0);
    expect(findUserByEmail(server.database.db, email)?.emailVerifiedAt).not.toBeNull();
    expect(tab.pageErrors).toEqual([]);
  });
});

describe('accounts an admin makes', () => {
  it('adds a user who sets a password from the mailed link and signs in', async () => {
    const me = await admin('Al Adder');
    const email = uniqueEmail('nina');
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, mailing.publicUrl);
    await tab.goto('/manage/users');
    await heading(page, 'Users').waitFor();
    await page.getByRole('button', { name: 'Add user' }).click();
    const form = page.getByRole('region', { name: 'Add a user' });
    await form.getByLabel('Full name').fill('Nina Newcomer');
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('analyst');
    await form.getByRole('button', { name: 'Add and mail a link' }).click();
    await toast(page, 'Nina Newcomer was added; a link to set a password was mailed').waitFor();
    await page.getByRole('button', { name: 'Details of Nina Newcomer' }).click();
    await page.getByText('Not set yet: their set-password link has not been used').waitFor();
    const created = findUserByEmail(server.database.db, email);
    expect(created?.role).toBe('analyst');
    expect(created?.passwordHash).toBeNull();

    const owner = await open();
    await owner.page.goto(await mailedLink(email, /account is ready$/, 'set-password'));
    await heading(owner.page, 'Set your password').waitFor();
    await owner.page.getByLabel('New password', { exact: true }).fill('nina picks this one');
    await owner.page.getByLabel('New password again').fill('nina picks this one');
    await owner.page.getByRole('button', { name: 'Set password' }).click();
    await heading(owner.page, 'Your password is set').waitFor();
    await screenshotBothWidths(owner.page, 'set-password-done');
    await signInThroughPage(owner, email, 'nina picks this one');
    // The set-password link went to that address, so it counts as verified.
    expect(findUserByEmail(server.database.db, email)?.emailVerifiedAt).not.toBeNull();
    expect(tab.pageErrors).toEqual([]);
    expect(owner.pageErrors).toEqual([]);
  });

  it('invites someone whose sign-up from the mailed link gets the invited role', async () => {
    const me = await admin('Ivy Inviter');
    const email = uniqueEmail('gus');
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, me, mailing.publicUrl);
    await tab.goto('/manage/users');
    await heading(page, 'Users').waitFor();
    await page.getByRole('button', { name: 'Invite', exact: true }).click();
    const form = page.getByRole('region', { name: 'Invite someone' });
    await form.getByLabel('Email').fill(email);
    await form.getByLabel('Role').selectOption('moderator');
    await screenshotBothWidths(page, 'admin-users-invite');
    await form.getByRole('button', { name: 'Send invitation' }).click();
    await toast(page, `An invitation was mailed to ${email}.`).waitFor();

    const guest = await open();
    await guest.page.goto(await mailedLink(email, /^You are invited/, 'sign-up'));
    await heading(guest.page, 'Create your account').waitFor();
    await guest.page.getByText('You were invited to Attune').waitFor();
    await guest.page.getByLabel('Full name').fill('Gus Invited');
    await guest.page.getByLabel('Email').fill(email);
    await guest.page.getByLabel('Password').fill('a good password');
    await guest.page.getByRole('button', { name: 'Create account' }).click();
    await guest.page.waitForURL(`${mailing.publicUrl}/talk`);
    await guest.page
      .getByRole('button', { name: /Account menu/ })
      .filter({ hasText: 'Moderator' })
      .waitFor();
    const joined = findUserByEmail(server.database.db, email);
    expect(joined?.role).toBe('moderator');
    expect(joined?.fullName).toBe('Gus Invited');
    expect(joined?.emailVerifiedAt).not.toBeNull();
    expect(tab.pageErrors).toEqual([]);
    expect(guest.pageErrors).toEqual([]);
  });
});

describe('Account: name and email', () => {
  it('saves a new name, and changes the email once the link mailed to it is opened', async () => {
    const user = await registerUser(server, {
      full_name: 'Ed Before',
      email: uniqueEmail('ed'),
    });
    const newEmail = uniqueEmail('ed-new');
    const tab = await open();
    const { page } = tab;
    await signInContext(tab.context, user, mailing.publicUrl);
    await tab.goto('/account');
    await heading(page, 'Account').waitFor();

    await page.getByLabel('Full name').fill('Ed After');
    await page.getByRole('button', { name: 'Save name' }).click();
    await toast(page, 'Your name was saved.').waitFor();
    expect(findUserById(server.database.db, user.id)?.fullName).toBe('Ed After');

    // A wrong password is refused by its field; the right one leaves the new address pending.
    await page.getByLabel('New email address').fill(newEmail);
    await page.getByLabel('Current password').first().fill('not my password');
    await page.getByRole('button', { name: 'Change email' }).click();
    await page
      .locator('.field__error')
      .filter({ hasText: /incorrect/i })
      .waitFor();
    await page.getByLabel('Current password').first().fill(user.password);
    await page.getByRole('button', { name: 'Change email' }).click();
    await toast(page, 'Check your new address for a verification link.').waitFor();
    await page.getByText(`Waiting for verification: ${newEmail}`).waitFor();
    expect(findUserById(server.database.db, user.id)).toMatchObject({
      email: user.email,
      pendingEmail: newEmail,
    });
    await screenshotBothWidths(page, 'account-email-pending');
    // The old address is told, without a link.
    const notice = await nextMailAbout(mailing.sink, user.email, /being changed/);
    expect(notice.links.filter((link) => link.includes('#token='))).toEqual([]);

    await page.goto(await mailedLink(newEmail, /^Confirm your email/, 'verify-email'));
    const confirm = page.getByRole('button', { name: 'Confirm', exact: true });
    await confirm.waitFor();
    // Opening the link alone does not move the account to the new address.
    await page.waitForLoadState('networkidle');
    expect(findUserById(server.database.db, user.id)).toMatchObject({
      email: user.email,
      pendingEmail: newEmail,
    });
    await confirm.click();
    await page.getByText('Your email address is verified').waitFor();
    await page.getByRole('link', { name: 'Go to your account' }).click();
    await heading(page, 'Account').waitFor();
    await page.locator('.account-email').filter({ hasText: newEmail }).waitFor();
    expect(await page.getByText('Waiting for verification').count()).toBe(0);
    expect(findUserById(server.database.db, user.id)).toMatchObject({
      email: newEmail,
      pendingEmail: null,
    });
    expect(tab.pageErrors).toEqual([]);
  });
});
