import { createHash, randomBytes } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { KNOWN_SOURCE_TTL_MS } from '@attune/db';
import type { Config } from '../config/config.ts';
import { wantsRefreshCookie } from './refresh-cookie.ts';

/**
 * The known-device cookie: a random id a browser gets at a successful sign-in, so that its next
 * sign-ins skip the account-wide login delay even when its IP has changed (a phone). The id means
 * nothing by itself: the throttle keeps a `device:<email_sha256>:<sha256(id)>` row per account
 * that signed in with it (see db login-throttle.ts), so the id alone grants nothing, a password
 * reset forgets it, and it expires with that row. One id serves every account signed in from the
 * browser. httpOnly and SameSite=Strict like the refresh cookie; set only in the browser mode
 * (`X-Refresh-Cookie: 1`), so other clients' answers are unchanged.
 */
export const KNOWN_DEVICE_COOKIE_NAME = 'attune_device';

const DEVICE_ID = /^[A-Za-z0-9_-]{43}$/;

type CookieConfig = Pick<Config, 'cookieSecure'>;

/** Same scoping as the refresh cookie: `__Host-` over https, otherwise /auth only. */
function cookieOf(config: CookieConfig): { name: string; path: string } {
  return config.cookieSecure
    ? { name: `__Host-${KNOWN_DEVICE_COOKIE_NAME}`, path: '/' }
    : { name: KNOWN_DEVICE_COOKIE_NAME, path: '/auth' };
}

/** What the throttle keys a device by: the id's digest, so the database never holds a usable id. */
export const knownDeviceKey = (deviceId: string) =>
  createHash('sha256').update(deviceId).digest('hex');

/**
 * The device id of this sign-in: the one the browser presented, or a new one for a browser that
 * has none yet; `undefined` for a non-browser client without one.
 */
export function deviceIdForSignIn(c: Context, config: CookieConfig): string | undefined {
  const presented = getCookie(c, cookieOf(config).name);
  if (presented !== undefined && DEVICE_ID.test(presented)) return presented;
  return wantsRefreshCookie(c) ? randomBytes(32).toString('base64url') : undefined;
}

/** After a successful sign-in in the browser mode: (re)sets the cookie for the known-place lifetime. */
export function rememberDevice(c: Context, config: CookieConfig, deviceId: string): void {
  if (!wantsRefreshCookie(c)) return;
  const cookie = cookieOf(config);
  setCookie(c, cookie.name, deviceId, {
    path: cookie.path,
    httpOnly: true,
    sameSite: 'Strict',
    secure: config.cookieSecure,
    maxAge: Math.floor(KNOWN_SOURCE_TTL_MS / 1000),
  });
}
