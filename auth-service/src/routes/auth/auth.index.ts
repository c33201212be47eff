import {
  findUserByEmail,
  findUserById,
  insertUser,
  recordSuccessfulLogin,
  revokeRefreshFamily,
  rotateRefreshToken,
} from '@attune/db';
import { accessCredentials } from '../../auth/credentials.ts';
import { signIn } from '../../auth/sign-in.ts';
import type { AppDeps } from '../../deps.ts';
import { ApiError } from '../../http/api-error.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRouter } from '../../http/router.ts';
import { MAX_PASSWORD_BYTES } from '../../passwords/password-hasher.ts';
import { hashRefreshToken, newRefreshToken } from '../../tokens/refresh-token.ts';
import { toUserResponse } from '../../users/user-response.ts';
import { loginRoute, logoutRoute, meRoute, refreshRoute, registerRoute } from './auth.routes.ts';

const invalidCredentials = () => new ApiError(401, 'invalid_credentials', 'Email or password is incorrect');
const invalidRefreshToken = () =>
  new ApiError(401, 'invalid_refresh_token', 'The refresh token is invalid, expired or already used; sign in again');

export function createAuthRouter(deps: AppDeps) {
  const router = createRouter();
  const { db } = deps.database;

  router.on('POST', '/auth/logout', requireUser(deps));
  router.on('GET', '/auth/me', requireUser(deps));

  router.openapi(registerRoute, async (c) => {
    const body = c.req.valid('json');
    const passwordHash = await deps.passwords.hash(body.password);
    const signedIn = await signIn(deps, clientMeta(c), (tx) =>
      insertUser(tx, { email: body.email, fullName: body.full_name, passwordHash }, deps.now()),
    );
    if (!signedIn) throw new ApiError(409, 'email_taken', 'An account with this email already exists; sign in instead');
    deps.logger.info({ userId: signedIn.user.id }, 'user registered');
    return c.json(signedIn, 201);
  });

  router.openapi(loginRoute, async (c) => {
    const body = c.req.valid('json');
    const found = findUserByEmail(db, body.email);
    // bcrypt ignores bytes past 72, so a longer password could match a shorter one: refuse it,
    // after the same work as any other wrong password.
    const comparable = Buffer.byteLength(body.password, 'utf8') <= MAX_PASSWORD_BYTES;
    const hash = found && comparable ? found.passwordHash : await deps.passwords.decoyHash();
    const matches = await deps.passwords.verify(body.password, hash);
    if (!found || !comparable || !matches) throw invalidCredentials();
    if (found.status !== 'active') throw new ApiError(403, 'account_suspended', 'This account is suspended');

    const rehashed = deps.passwords.needsRehash(found.passwordHash) ? await deps.passwords.hash(body.password) : undefined;
    const login = { userId: found.id, verifiedHash: found.passwordHash, rehashed };
    const signedIn = await signIn(deps, clientMeta(c), (tx) => recordSuccessfulLogin(tx, login, deps.now()));
    // Suspended, deleted or given a new password while bcrypt ran: this login no longer counts.
    if (!signedIn) throw invalidCredentials();
    return c.json(signedIn, 200);
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
    if (result.status !== 'rotated') throw invalidRefreshToken();
    const user = findUserById(db, result.token.userId);
    if (!user || user.status !== 'active') {
      revokeRefreshFamily(db, result.token.userId, result.token.familyId, nowMs);
      throw invalidRefreshToken();
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
