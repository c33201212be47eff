import {
  findUserById,
  insertUser,
  revokeRefreshFamily,
  revokeUserRefreshFamilies,
  updateFullName,
} from '@attune/db';
import { audit, auditIn } from '../../audit/audit.ts';
import { accessCredentials } from '../../auth/credentials.ts';
import { requestEmailChange } from '../../auth/email-change.ts';
import { sendVerificationMail } from '../../auth/email-verification.ts';
import { deviceIdForSignIn, rememberDevice } from '../../auth/known-device-cookie.ts';
import { logIn } from '../../auth/login.ts';
import {
  clearRefreshCookie,
  deliverRefreshToken,
  presentedRefreshToken,
} from '../../auth/refresh-cookie.ts';
import { admitSignUp, claimAccountPlace } from '../../auth/registration.ts';
import { signIn } from '../../auth/sign-in.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { hashRefreshToken, newRefreshToken } from '../../tokens/refresh-token.ts';
import { toUserResponse } from '../../users/user-response.ts';
import {
  loginRoute,
  logoutRoute,
  meRoute,
  refreshRoute,
  registerRoute,
  updateMeRoute,
} from './auth.routes.ts';

const invalidRefreshToken = () => apiError('invalid_refresh_token');

export function createAuthRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  const { db } = deps.database;

  router.openapi(guard.route(registerRoute), async (c) => {
    const body = c.req.valid('json');
    const { registration } = deps.config;
    const invitation = admitSignUp(
      db,
      registration,
      { email: body.email, inviteToken: body.invite_token },
      deps.now(),
    );
    const passwordHash = await deps.passwords.hash(body.password);
    const meta = clientMeta(c);
    const signedIn = await signIn(deps, meta, (tx) => {
      const nowMs = deps.now();
      const invited = claimAccountPlace(
        tx,
        registration,
        invitation && body.invite_token !== undefined
          ? { token: body.invite_token, email: body.email }
          : null,
        nowMs,
      );
      const user = insertUser(
        tx,
        {
          email: body.email,
          fullName: body.full_name,
          passwordHash,
          // An invitation was mailed to this address: opening it proved the address.
          role: invited?.role ?? 'user',
          emailVerifiedAt: invited ? nowMs : null,
        },
        nowMs,
      );
      // Thrown, not returned: the spent invitation and the counted place roll back with it.
      if (!user) throw apiError('email_taken');
      auditIn(
        tx,
        {
          action: 'register',
          actorId: user.id,
          target: user.id,
          ip: meta.ip,
          detail: invited ? { invited: true, role: user.role } : null,
        },
        nowMs,
      );
      return user;
    });
    if (!signedIn) throw apiError('email_taken');
    const { user } = signedIn;
    deps.logger.info({ userId: user.id }, 'user registered');
    if (!user.email_verified)
      deps.tasks.run('verification mail at sign-up', () =>
        sendVerificationMail(
          deps,
          { id: user.id, fullName: user.full_name, email: user.email },
          user.email,
          meta.ip,
        ),
      );
    return c.json(deliverRefreshToken(c, deps.config, signedIn), 201);
  });

  // Lockout, the uniform 401 and the login audit live in auth/login.ts.
  router.openapi(guard.route(loginRoute), async (c) => {
    const deviceId = deviceIdForSignIn(c, deps.config);
    const signedIn = await logIn(deps, c.req.valid('json'), clientMeta(c), deviceId);
    if (deviceId !== undefined) rememberDevice(c, deps.config, deviceId);
    return c.json(deliverRefreshToken(c, deps.config, signedIn), 200);
  });

  router.openapi(guard.route(refreshRoute), async (c) => {
    const refreshToken = presentedRefreshToken(c, deps.config, c.req.valid('json').refresh_token);
    if (refreshToken === undefined) {
      throw apiError('refresh_token_missing');
    }
    const nowMs = deps.now();
    const next = newRefreshToken();
    const meta = clientMeta(c);
    const result = await deps.store.refreshTokens.rotate(
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
      await deps.store.refreshTokens.revokeFamily(
        result.token.userId,
        result.token.familyId,
        nowMs,
      );
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

  router.openapi(guard.route(updateMeRoute), async (c) => {
    const { user } = c.get('caller');
    const body = c.req.valid('json');
    const { ip } = clientMeta(c);
    let current = user;
    if (body.email !== undefined) {
      const changed = await requestEmailChange(deps, user, {
        email: body.email,
        currentPassword: body.current_password,
        ip,
      });
      current = changed;
    }
    if (body.full_name !== undefined && body.full_name !== current.fullName) {
      const fullName = body.full_name;
      current = await deps.database.groupCommit.run((tx) => {
        const nowMs = deps.now();
        const renamed = updateFullName(tx, user.id, fullName);
        if (!renamed) throw new Error('the signed-in user vanished during a rename');
        auditIn(
          tx,
          {
            action: 'profile_updated',
            actorId: user.id,
            target: user.id,
            ip,
            detail: { fields: ['full_name'] },
          },
          nowMs,
        );
        return renamed;
      });
    }
    return c.json(toUserResponse(current), 200);
  });

  return router;
}
