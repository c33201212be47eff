import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../config/config.ts';

/**
 * Browsers keep the refresh token in an httpOnly, SameSite=Strict cookie the page's scripts
 * cannot read; other clients keep getting it in the JSON body.
 *
 * A client opts in per request with `X-Refresh-Cookie: 1`. The header does two things: it tells
 * the service to answer with the cookie instead of the body field, and it is what lets
 * `POST /auth/refresh` read the cookie at all. A cross-site form or image cannot set a custom
 * header, and a cross-site fetch that sets one needs a CORS preflight this service refuses, so the
 * header stands in for a CSRF token on top of SameSite=Strict.
 */
export const REFRESH_COOKIE_HEADER = 'X-Refresh-Cookie';
export const REFRESH_COOKIE_NAME = 'attune_refresh';
/**
 * Over https the cookie takes the `__Host-` prefix: the browser then accepts it only Secure, from
 * this very host and for Path=/, so a sibling subdomain cannot plant one of its own. Over plain
 * http (development on loopback) that prefix is refused, and the cookie is scoped to /auth, the
 * only routes that read it.
 */
function cookieOf(config: CookieConfig): { name: string; path: string } {
  return config.cookieSecure
    ? { name: `__Host-${REFRESH_COOKIE_NAME}`, path: '/' }
    : { name: REFRESH_COOKIE_NAME, path: '/auth' };
}

type CookieConfig = Pick<Config, 'cookieSecure' | 'refreshTokenTtlMs'>;

/** Whether this request asked for the browser mode. */
export function wantsRefreshCookie(c: Context): boolean {
  return c.req.header(REFRESH_COOKIE_HEADER) === '1';
}

/** The refresh token from the body, or in browser mode from the cookie. */
export function presentedRefreshToken(
  c: Context,
  config: CookieConfig,
  bodyToken: string | undefined,
): string | undefined {
  if (bodyToken !== undefined) return bodyToken;
  return wantsRefreshCookie(c) ? getCookie(c, cookieOf(config).name) : undefined;
}

/**
 * What the client gets for fresh credentials: in browser mode the refresh token goes into the
 * cookie and leaves the body; otherwise the body is unchanged.
 */
export function deliverRefreshToken<Body extends { refresh_token: string }>(
  c: Context,
  config: CookieConfig,
  body: Body,
  maxAgeMs = config.refreshTokenTtlMs,
): Omit<Body, 'refresh_token'> & { refresh_token?: string } {
  if (!wantsRefreshCookie(c)) return body;
  const cookie = cookieOf(config);
  setCookie(c, cookie.name, body.refresh_token, {
    path: cookie.path,
    httpOnly: true,
    sameSite: 'Strict',
    secure: config.cookieSecure,
    maxAge: Math.floor(maxAgeMs / 1000),
  });
  // The token went into the cookie; the body answers everything else.
  const rest: Omit<Body, 'refresh_token'> & { refresh_token?: string } = { ...body };
  delete rest.refresh_token;
  return rest;
}

/** Expires the cookie (sign-out, a refused refresh, a deleted account). */
export function clearRefreshCookie(c: Context, config: CookieConfig): void {
  const cookie = cookieOf(config);
  if (getCookie(c, cookie.name) === undefined) return;
  deleteCookie(c, cookie.name, {
    path: cookie.path,
    httpOnly: true,
    sameSite: 'Strict',
    secure: config.cookieSecure,
  });
}
