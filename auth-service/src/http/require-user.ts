import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app-env.ts';
import type { AppDeps } from '../deps.ts';
import { InvalidAccessToken } from '../tokens/app-jwt.ts';
import { apiError } from './error-catalog.ts';

// The auth scheme is case-insensitive (RFC 9110); the token is a compact JWS.
const BEARER = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*) *$/i;

function unauthorized(message: string) {
  return apiError('unauthorized', message, {
    headers: { 'WWW-Authenticate': 'Bearer realm="attune"' },
  });
}

/**
 * Verifies the bearer access token, then checks the server's own state: the user still exists
 * and is active, and the signed-in device (refresh family) was not signed out.
 */
export function requireUser(deps: Pick<AppDeps, 'appJwt' | 'store' | 'now'>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match?.[1]) throw unauthorized('Send an access token as Authorization: Bearer <token>');
    const nowMs = deps.now();
    let claims;
    try {
      claims = await deps.appJwt.verify(match[1], nowMs);
    } catch (error) {
      if (error instanceof InvalidAccessToken)
        throw unauthorized('The access token is invalid or expired');
      throw error;
    }
    // One indexed read (on SQLite a prepared statement, run synchronously inside the promise).
    const user = await deps.store.users.findSignedIn(claims.userId, claims.familyId, nowMs);
    if (!user || user.status !== 'active') {
      throw unauthorized('The access token is no longer valid; sign in again');
    }
    c.set('caller', { user, claims });
    await next();
  });
}
