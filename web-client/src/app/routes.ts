import type { Role } from '../api/auth-api.ts';

/** Every page of the client. The server answers index.html for each of these paths. */
export type RouteName =
  | 'home'
  | 'sign-in'
  | 'sign-up'
  | 'forgot-password'
  | 'reset-password'
  | 'set-password'
  | 'verify-email'
  | 'talk'
  | 'memory'
  | 'history'
  | 'dashboard'
  | 'account'
  | 'admin-users'
  | 'admin-sessions'
  | 'admin-audit'
  | 'not-found';

const PATHS: Record<string, RouteName> = {
  '/': 'home',
  '/sign-in': 'sign-in',
  '/sign-up': 'sign-up',
  '/talk': 'talk',
  '/memory': 'memory',
  '/history': 'history',
  '/dashboard': 'dashboard',
  '/forgot-password': 'forgot-password',
  '/reset-password': 'reset-password',
  '/set-password': 'set-password',
  '/verify-email': 'verify-email',
  '/account': 'account',
  // Not /admin/…: those paths are the admin API's, and the service never answers an API path
  // with the page.
  '/manage/users': 'admin-users',
  '/manage/sessions': 'admin-sessions',
  '/manage/audit': 'admin-audit',
};

/** Every page's path (the service must answer each with the page, not with an API route). */
export const PAGE_PATHS: readonly string[] = Object.keys(PATHS);

/** Pages for people who are not signed in; signed-in people are sent on from them. */
const PUBLIC_ROUTES: ReadonlySet<RouteName> = new Set(['sign-in', 'sign-up', 'forgot-password']);

/**
 * Pages behind a link from a mail: shown to anyone, signed in or not, at once (they need no
 * session, and the token they carry must not wait for one).
 */
const LINK_ROUTES: ReadonlySet<RouteName> = new Set([
  'reset-password',
  'set-password',
  'verify-email',
]);

/** Pages that carry the product name themselves (the sign-in card), so the shell has no header. */
export function isCardPage(route: RouteName): boolean {
  return PUBLIC_ROUTES.has(route) || LINK_ROUTES.has(route);
}

const TITLES: Record<RouteName, string> = {
  home: 'Attune',
  'sign-in': 'Sign in',
  'sign-up': 'Create your account',
  talk: 'Talk',
  memory: 'Memory',
  history: 'History',
  dashboard: 'Dashboard',
  'forgot-password': 'Forgot password',
  'reset-password': 'Choose a new password',
  'set-password': 'Set your password',
  'verify-email': 'Verify your email',
  account: 'Account',
  'admin-users': 'Users',
  'admin-sessions': 'Live sessions',
  'admin-audit': 'Audit log',
  'not-found': 'Page not found',
};

export const PRODUCT_NAME = 'Attune';

/** The page a path names; a trailing slash is ignored, unknown paths are 'not-found'. */
export function matchRoute(pathname: string): RouteName {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') || '/' : pathname;
  return PATHS[path] ?? 'not-found';
}

/** Whether a path is one of the client's own pages (so a link to it can skip a page load). */
export function isClientRoute(pathname: string): boolean {
  return matchRoute(pathname) !== 'not-found';
}

export function canSeeDashboard(role: Role): boolean {
  return role === 'admin' || role === 'analyst';
}

/** Users, live sessions and the audit log: admins and moderators. */
export function canSeeAdminPages(role: Role): boolean {
  return role === 'admin' || role === 'moderator';
}

/** The document title for a page: "Memory · Attune". */
export function documentTitle(route: RouteName): string {
  return route === 'home' ? PRODUCT_NAME : `${TITLES[route]} · ${PRODUCT_NAME}`;
}

/**
 * Where to go after signing in, from the `next` query parameter: only a path on this site (never
 * `//other.example` or `https://…`, which would make the sign-in page an open redirect), and never
 * back to a sign-in page.
 */
export function safeNextPath(next: string | null | undefined): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\'))
    return undefined;
  let url: URL;
  try {
    url = new URL(next, 'http://attune.invalid');
  } catch {
    return undefined;
  }
  if (url.origin !== 'http://attune.invalid') return undefined;
  const route = matchRoute(url.pathname);
  if (PUBLIC_ROUTES.has(route) || LINK_ROUTES.has(route) || route === 'home') return undefined;
  // `/.//x` normalises to `//x`, which the browser would read as another host.
  if (url.pathname.startsWith('//')) return undefined;
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The sign-in page that brings the user back to `here` afterwards. */
export function signInPathFor(here: string): string {
  const next = safeNextPath(here);
  return next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in';
}

export type AuthView =
  { status: 'restoring' } | { status: 'signed-out' } | { status: 'signed-in'; role: Role };

export type RouteDecision =
  { kind: 'loading' } | { kind: 'redirect'; to: string } | { kind: 'page'; route: RouteName };

/**
 * What the shell shows for a location: nothing yet while the session is restoring, the sign-in
 * page (remembering where the user was) for a signed-out user on a private page, the place they
 * came for once they are signed in, and otherwise the page itself.
 */
export function decideRoute(
  location: { pathname: string; search: string },
  auth: AuthView,
): RouteDecision {
  const route = matchRoute(location.pathname);
  if (route === 'not-found' || LINK_ROUTES.has(route)) return { kind: 'page', route };
  if (auth.status === 'restoring') return { kind: 'loading' };
  if (auth.status === 'signed-out') {
    if (PUBLIC_ROUTES.has(route)) return { kind: 'page', route };
    if (route === 'home') return { kind: 'redirect', to: '/sign-in' };
    return { kind: 'redirect', to: signInPathFor(`${location.pathname}${location.search}`) };
  }
  // A guest may sign in or create an account; the new session replaces the guest one.
  if (PUBLIC_ROUTES.has(route) && auth.role === 'guest') return { kind: 'page', route };
  if (PUBLIC_ROUTES.has(route)) {
    const next = safeNextPath(new URLSearchParams(location.search).get('next'));
    return { kind: 'redirect', to: next ?? '/talk' };
  }
  if (route === 'home') return { kind: 'redirect', to: '/talk' };
  return { kind: 'page', route };
}

/** Carries `?next=` over between the sign-in and sign-up pages. */
export function withNext(path: string, search: string): string {
  const next = safeNextPath(new URLSearchParams(search).get('next'));
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}
