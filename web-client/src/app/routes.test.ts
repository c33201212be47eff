import { describe, expect, it } from 'vitest';
import {
  canSeeAdminPages,
  canSeeDashboard,
  decideRoute,
  documentTitle,
  isCardPage,
  matchRoute,
  safeNextPath,
  signInPathFor,
  withNext,
} from './routes.ts';

describe('matchRoute', () => {
  it('names every page and ignores a trailing slash', () => {
    expect(matchRoute('/')).toBe('home');
    expect(matchRoute('/sign-in')).toBe('sign-in');
    expect(matchRoute('/sign-up/')).toBe('sign-up');
    expect(matchRoute('/talk')).toBe('talk');
    expect(matchRoute('/memory')).toBe('memory');
    expect(matchRoute('/history//')).toBe('history');
    expect(matchRoute('/dashboard')).toBe('dashboard');
    expect(matchRoute('/forgot-password')).toBe('forgot-password');
    expect(matchRoute('/reset-password')).toBe('reset-password');
    expect(matchRoute('/set-password')).toBe('set-password');
    expect(matchRoute('/verify-email')).toBe('verify-email');
    expect(matchRoute('/account')).toBe('account');
    expect(matchRoute('/manage/users')).toBe('admin-users');
    expect(matchRoute('/manage/sessions')).toBe('admin-sessions');
    expect(matchRoute('/manage/audit')).toBe('admin-audit');
    // The admin API's own paths are never pages.
    expect(matchRoute('/admin/users')).toBe('not-found');
  });

  it('calls anything else not found', () => {
    expect(matchRoute('/nope')).toBe('not-found');
    expect(matchRoute('/memory/extra')).toBe('not-found');
    expect(matchRoute('/MEMORY')).toBe('not-found');
    expect(matchRoute('/docs')).toBe('not-found');
  });
});

describe('safeNextPath', () => {
  it('keeps a path on this site with its query and hash', () => {
    expect(safeNextPath('/memory')).toBe('/memory');
    expect(safeNextPath('/history?x=1#top')).toBe('/history?x=1#top');
  });
  it('refuses paths that normalise to another host', () => {
    for (const next of ['/.//evil.example', '/talk/..//evil.example', '/%2e//evil.example'])
      expect(safeNextPath(next), next).toBeUndefined();
  });

  it('refuses other sites, protocol-relative and backslash tricks', () => {
    for (const next of [
      'https://evil.example/',
      '//evil.example/memory',
      '/\\evil.example',
      'javascript:alert(1)',
      'memory',
      '',
      null,
      undefined,
    ]) {
      expect(safeNextPath(next)).toBeUndefined();
    }
  });

  it('never sends back to the sign-in pages or home', () => {
    expect(safeNextPath('/sign-in')).toBeUndefined();
    expect(safeNextPath('/sign-up?next=/memory')).toBeUndefined();
    expect(safeNextPath('/')).toBeUndefined();
  });
});

describe('decideRoute', () => {
  const at = (href: string) => {
    const url = new URL(href, 'http://x');
    return { pathname: url.pathname, search: url.search };
  };

  it('waits while the session restores, except on a page that does not exist', () => {
    expect(decideRoute(at('/memory'), { status: 'restoring' })).toEqual({ kind: 'loading' });
    expect(decideRoute(at('/sign-in'), { status: 'restoring' })).toEqual({ kind: 'loading' });
    expect(decideRoute(at('/nope'), { status: 'restoring' })).toEqual({
      kind: 'page',
      route: 'not-found',
    });
  });

  it('sends a signed-out user to sign in, remembering where they were', () => {
    expect(decideRoute(at('/memory'), { status: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: '/sign-in?next=%2Fmemory',
    });
    expect(decideRoute(at('/history?page=2'), { status: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: '/sign-in?next=%2Fhistory%3Fpage%3D2',
    });
    expect(decideRoute(at('/'), { status: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: '/sign-in',
    });
    expect(decideRoute(at('/sign-in'), { status: 'signed-out' })).toEqual({
      kind: 'page',
      route: 'sign-in',
    });
    expect(decideRoute(at('/sign-up'), { status: 'signed-out' })).toEqual({
      kind: 'page',
      route: 'sign-up',
    });
  });

  it('moves a signed-in user on from the sign-in pages to next, or Talk', () => {
    const user = { status: 'signed-in', role: 'user' } as const;
    expect(decideRoute(at('/sign-in?next=%2Fmemory'), user)).toEqual({
      kind: 'redirect',
      to: '/memory',
    });
    expect(decideRoute(at('/sign-in?next=https%3A%2F%2Fevil.example'), user)).toEqual({
      kind: 'redirect',
      to: '/talk',
    });
    expect(decideRoute(at('/sign-up'), user)).toEqual({ kind: 'redirect', to: '/talk' });
    expect(decideRoute(at('/'), user)).toEqual({ kind: 'redirect', to: '/talk' });
    expect(decideRoute(at('/history'), user)).toEqual({ kind: 'page', route: 'history' });
  });

  it('lets a guest open the sign-in pages to make a real account', () => {
    expect(decideRoute(at('/sign-up'), { status: 'signed-in', role: 'guest' })).toEqual({
      kind: 'page',
      route: 'sign-up',
    });
  });

  it('shows the dashboard route to everyone signed in (the page itself says who may see it)', () => {
    expect(decideRoute(at('/dashboard'), { status: 'signed-in', role: 'user' })).toEqual({
      kind: 'page',
      route: 'dashboard',
    });
    expect(canSeeDashboard('user')).toBe(false);
    expect(canSeeDashboard('guest')).toBe(false);
    expect(canSeeDashboard('analyst')).toBe(true);
    expect(canSeeDashboard('admin')).toBe(true);
  });
});

describe('titles and links', () => {
  it('titles each page', () => {
    expect(documentTitle('memory')).toBe('Memory · Attune');
    expect(documentTitle('not-found')).toBe('Page not found · Attune');
    expect(documentTitle('home')).toBe('Attune');
  });

  it('builds sign-in links that bring the user back', () => {
    expect(signInPathFor('/dashboard')).toBe('/sign-in?next=%2Fdashboard');
    expect(signInPathFor('/sign-in')).toBe('/sign-in');
    expect(withNext('/sign-up', '?next=%2Fmemory')).toBe('/sign-up?next=%2Fmemory');
    expect(withNext('/sign-up', '?next=%2F%2Fevil')).toBe('/sign-up');
  });
});

describe('the pages added for accounts and administration', () => {
  it('shows mail-link pages at once to anyone, without waiting for the session', () => {
    for (const path of ['/reset-password', '/set-password', '/verify-email']) {
      const at = { pathname: path, search: '' };
      expect(decideRoute(at, { status: 'restoring' }).kind, path).toBe('page');
      expect(decideRoute(at, { status: 'signed-out' }).kind, path).toBe('page');
      expect(decideRoute(at, { status: 'signed-in', role: 'user' }).kind, path).toBe('page');
    }
  });

  it('treats Forgot password like sign-in, and Account as a private page', () => {
    expect(
      decideRoute({ pathname: '/forgot-password', search: '' }, { status: 'signed-out' }),
    ).toEqual({ kind: 'page', route: 'forgot-password' });
    expect(
      decideRoute(
        { pathname: '/forgot-password', search: '' },
        { status: 'signed-in', role: 'user' },
      ),
    ).toEqual({ kind: 'redirect', to: '/talk' });
    expect(decideRoute({ pathname: '/account', search: '' }, { status: 'signed-out' })).toEqual({
      kind: 'redirect',
      to: '/sign-in?next=%2Faccount',
    });
  });

  it('never sends back to a mail-link page after sign-in', () => {
    expect(safeNextPath('/reset-password')).toBeUndefined();
    expect(safeNextPath('/verify-email')).toBeUndefined();
    expect(safeNextPath('/account')).toBe('/account');
  });

  it('draws the card pages without the header, and opens the admin pages to staff only', () => {
    expect(isCardPage('forgot-password')).toBe(true);
    expect(isCardPage('verify-email')).toBe(true);
    expect(isCardPage('account')).toBe(false);
    expect(canSeeAdminPages('admin')).toBe(true);
    expect(canSeeAdminPages('moderator')).toBe(true);
    expect(canSeeAdminPages('analyst')).toBe(false);
    expect(canSeeAdminPages('user')).toBe(false);
  });
});
