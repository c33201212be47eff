import { audit } from '../../audit/audit.ts';
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
import { admitSignUp, signUp } from '../../auth/registration.ts';
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

  router.openapi(guard.route(registerRoute), async (c) => {
    const body = c.req.valid('json');
    const { registration } = deps.config;
    const invitation = await admitSignUp(
      deps.store,
      registration,
      { email: body.email, inviteToken: body.invite_token },
      deps.now(),
    );
    const passwordHash = await deps.passwords.hash(body.password);
    const meta = clientMeta(c);
    // The account is written in the sign-in's own transaction (with its device and room); an
    // invitation mailed to this address proves the address and gives its role.
    const signedIn = await signIn(deps, meta, (newSignIn, nowMs) =>
      signUp(
        deps.store,
        registration,
        {
          email: body.email,
          fullName: body.full_name,
          passwordHash,
          invitation:
            invitation && body.invite_token !== undefined ? { token: body.invite_token } : null,
        },
        newSignIn,
        nowMs,
        ({ user, invitation: invited }) => ({
          action: 'register',
          actorId: user.id,
          target: user.id,
          ip: meta.ip,
          detail: invited ? { invited: true, role: user.role } : null,
        }),
      ),
    );
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
    const user = await deps.store.users.findById(result.token.userId);
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
    const detail = everywhere ? { everywhere: true } : { familyId: claims.familyId };
    await deps.store.refreshTokens.signOut(
      user.id,
      everywhere ? { everywhere: true } : { familyId: claims.familyId },
      nowMs,
      { action: 'logout', actorId: user.id, target: user.id, ip: clientMeta(c).ip, detail },
    );
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
      const renamed = await deps.store.users.rename(user.id, fullName, deps.now(), () => ({
        action: 'profile_updated',
        actorId: user.id,
        target: user.id,
        ip,
        detail: { fields: ['full_name'] },
      }));
      if (!renamed) throw new Error('the signed-in user vanished during a rename');
      current = renamed;
    }
    return c.json(toUserResponse(current), 200);
  });

  return router;
}
