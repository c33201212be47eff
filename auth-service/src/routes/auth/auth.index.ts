import {
  findUserById,
  insertUser,
  revokeRefreshFamily,
  revokeUserRefreshFamilies,
  rotateRefreshToken,
} from '@attune/db';
import { audit, auditIn } from '../../audit/audit.ts';
import { accessCredentials } from '../../auth/credentials.ts';
import { logIn } from '../../auth/login.ts';
import {
  clearRefreshCookie,
  deliverRefreshToken,
  presentedRefreshToken,
} from '../../auth/refresh-cookie.ts';
import { signIn } from '../../auth/sign-in.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { hashRefreshToken, newRefreshToken } from '../../tokens/refresh-token.ts';
import { toUserResponse } from '../../users/user-response.ts';
import { loginRoute, logoutRoute, meRoute, refreshRoute, registerRoute } from './auth.routes.ts';

const invalidRefreshToken = () => apiError('invalid_refresh_token');

export function createAuthRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  const { db } = deps.database;

  router.openapi(guard.route(registerRoute), async (c) => {
    const body = c.req.valid('json');
    const passwordHash = await deps.passwords.hash(body.password);
    const meta = clientMeta(c);
    const signedIn = await signIn(deps, meta, (tx) => {
      const nowMs = deps.now();
      const user = insertUser(
        tx,
        { email: body.email, fullName: body.full_name, passwordHash },
        nowMs,
      );
      if (user)
        auditIn(tx, { action: 'register', actorId: user.id, target: user.id, ip: meta.ip }, nowMs);
      return user;
    });
    if (!signedIn) throw apiError('email_taken');
    deps.logger.info({ userId: signedIn.user.id }, 'user registered');
    return c.json(deliverRefreshToken(c, deps.config, signedIn), 201);
  });

  // Lockout, the uniform 401 and the login audit live in auth/login.ts.
  router.openapi(guard.route(loginRoute), async (c) =>
    c.json(
      deliverRefreshToken(c, deps.config, await logIn(deps, c.req.valid('json'), clientMeta(c))),
      200,
    ),
  );

  router.openapi(guard.route(refreshRoute), async (c) => {
    const refreshToken = presentedRefreshToken(c, deps.config, c.req.valid('json').refresh_token);
    if (refreshToken === undefined) {
      throw apiError('refresh_token_missing');
    }
    const nowMs = deps.now();
    const next = newRefreshToken();
    const meta = clientMeta(c);
    const result = rotateRefreshToken(
      db,
      {
        presentedHash: hashRefreshToken(refreshToken),
        nextHash: next.tokenHash,
        nextExpiresAt: nowMs + deps.config.refreshTokenTtlMs,
        userAgent: meta.userAgent,
        ip: meta.ip,
      },
      nowMs,
    );
    if (result.status === 'reused') {
      deps.logger.warn(
        { userId: result.userId, familyId: result.familyId },
        'refresh token reuse detected; family revoked',
      );
      await audit(deps, {
        action: 'refresh_reuse_detected',
        actorId: null,
        target: result.userId,
        ip: meta.ip,
        detail: { familyId: result.familyId },
      });
    }
    if (result.status !== 'rotated') {
      clearRefreshCookie(c, deps.config);
      throw invalidRefreshToken();
    }
    const user = findUserById(db, result.token.userId);
    if (!user || user.status !== 'active') {
      revokeRefreshFamily(db, result.token.userId, result.token.familyId, nowMs);
      clearRefreshCookie(c, deps.config);
      throw invalidRefreshToken();
    }
    const credentials = await accessCredentials(
      deps,
      user,
      result.token.familyId,
      next.token,
      nowMs,
    );
    // The cookie lives as long as the new token, and a guest's no longer than the guest: the sweep
    // deletes guests GUEST_TTL_MINUTES after they were created.
    const cookieMs =
      user.role === 'guest'
        ? Math.max(0, user.createdAt + deps.config.guests.ttlMs - nowMs)
        : result.token.expiresAt - nowMs;
    const body = deliverRefreshToken(
      c,
      deps.config,
      { ...credentials, user: toUserResponse(user) },
      cookieMs,
    );
    return c.json(body, 200);
  });

  router.openapi(guard.route(logoutRoute), async (c) => {
    const { user, claims } = c.get('caller');
    const everywhere = c.req.valid('json')?.everywhere === true;
    const nowMs = deps.now();
    await deps.database.groupCommit.run((tx) => {
      if (everywhere) revokeUserRefreshFamilies(tx, user.id, nowMs);
      else revokeRefreshFamily(tx, user.id, claims.familyId, nowMs);
      const detail = everywhere ? { everywhere: true } : { familyId: claims.familyId };
      auditIn(
        tx,
        { action: 'logout', actorId: user.id, target: user.id, ip: clientMeta(c).ip, detail },
        nowMs,
      );
    });
    clearRefreshCookie(c, deps.config);
    return c.body(null, 204);
  });

  router.openapi(guard.route(meRoute), (c) => c.json(toUserResponse(c.get('caller').user), 200));

  return router;
}
