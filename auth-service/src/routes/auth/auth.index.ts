import { findUserByEmail, findUserById, insertUser, recordSuccessfulLogin, revokeRefreshFamily, rotateRefreshToken } from '@attune/db';
import { accessCredentials, issueCredentials } from '../../auth/credentials.ts';
import type { AppDeps } from '../../deps.ts';
import { ApiError } from '../../http/api-error.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRouter } from '../../http/router.ts';
import { openRoomSession } from '../../livekit/room-session.ts';
import { hashRefreshToken, newRefreshToken } from '../../tokens/refresh-token.ts';
import { toUserResponse } from '../../users/user-response.ts';
import { loginRoute, logoutRoute, meRoute, refreshRoute, registerRoute } from './auth.routes.ts';

const INVALID_CREDENTIALS = 'Email or password is incorrect';

export function createAuthRouter(deps: AppDeps) {
  const router = createRouter();
  const { db } = deps.database;

  router.use('/auth/logout', requireUser(deps));
  router.use('/auth/me', requireUser(deps));

  router.openapi(registerRoute, async (c) => {
    const body = c.req.valid('json');
    const passwordHash = await deps.passwords.hash(body.password);
    const user = insertUser(db, { email: body.email, fullName: body.full_name, passwordHash }, deps.now());
    if (!user) throw new ApiError(409, 'email_taken', 'An account with this email already exists; sign in instead');
    deps.logger.info({ userId: user.id }, 'user registered');
    const credentials = await issueCredentials(deps, user, clientMeta(c));
    const room = await openRoomSession(deps, user, {});
    return c.json({ ...credentials, user: toUserResponse(user), ...room }, 201);
  });

  router.openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const found = findUserByEmail(db, body.email);
    const passwordMatches = found
      ? await deps.passwords.verify(body.password, found.passwordHash)
      : await deps.passwords.verifyAgainstNothing(body.password);
    if (!found || !passwordMatches) throw new ApiError(401, 'invalid_credentials', INVALID_CREDENTIALS);
    if (found.status !== 'active') throw new ApiError(403, 'account_suspended', 'This account is suspended');
    recordSuccessfulLogin(db, found.id, deps.now());
    const user = findUserById(db, found.id) ?? found;
    const credentials = await issueCredentials(deps, user, clientMeta(c));
    const room = await openRoomSession(deps, user, {});
    return c.json({ ...credentials, user: toUserResponse(user), ...room }, 200);
  });

  router.openapi(refreshRoute, async (c) => {
    const { refresh_token } = c.req.valid('json');
    const nowMs = deps.now();
    const next = newRefreshToken();
    const meta = clientMeta(c);
    const result = rotateRefreshToken(
      db,
      {
        presentedHash: hashRefreshToken(refresh_token),
        nextHash: next.tokenHash,
        nextExpiresAt: nowMs + deps.config.refreshTokenTtlMs,
        userAgent: meta.userAgent,
        ip: meta.ip,
      },
      nowMs,
    );
    if (result.status === 'reused') {
      deps.logger.warn({ userId: result.userId, familyId: result.familyId }, 'refresh token reuse detected; family revoked');
    }
    if (result.status !== 'rotated') throw new ApiError(401, 'invalid_refresh_token', 'The refresh token is invalid, expired or already used; sign in again');
    const user = findUserById(db, result.token.userId);
    if (!user || user.status !== 'active') {
      revokeRefreshFamily(db, result.token.userId, result.token.familyId, nowMs);
      throw new ApiError(401, 'invalid_refresh_token', 'The refresh token is invalid, expired or already used; sign in again');
    }
    const credentials = await accessCredentials(deps, user, result.token.familyId, next.token, nowMs);
    return c.json({ ...credentials, user: toUserResponse(user) }, 200);
  });

  router.openapi(logoutRoute, (c) => {
    const { user, claims } = c.get('caller');
    revokeRefreshFamily(db, user.id, claims.familyId, deps.now());
    return c.body(null, 204);
  });

  router.openapi(meRoute, (c) => c.json(toUserResponse(c.get('caller').user), 200));

  return router;
}
