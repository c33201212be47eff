import { randomUUID } from 'node:crypto';
import { GUEST_EMAIL_DOMAIN } from '@attune/db';
import { deliverRefreshToken } from '../../auth/refresh-cookie.ts';
import { signIn } from '../../auth/sign-in.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { guestRoute } from './guest.routes.ts';

/**
 * Guests: an account with role `guest`, no password anyone knows (its hash is of a random
 * string), no memory, and a lifetime of GUEST_TTL_MINUTES, after which the sweep deletes it.
 */
export function createGuestRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();
  router.openapi(guard.route(guestRoute), async (c) => {
    if (!deps.config.guests.enabled) throw apiError('guest_access_disabled');
    const body = c.req.valid('json');
    const meta = clientMeta(c);
    const passwordHash = await deps.passwords.decoyHash();
    const signedIn = await signIn(
      deps,
      meta,
      (newSignIn, nowMs) =>
        deps.store.signIns.createGuest(
          {
            email: `guest-${randomUUID()}@${GUEST_EMAIL_DOMAIN}`,
            fullName: body.full_name ?? 'Guest',
            passwordHash,
          },
          newSignIn,
          nowMs,
          (user) => ({ action: 'guest_created', actorId: user.id, target: user.id, ip: meta.ip }),
        ),
      { refreshTtlMs: deps.config.guests.ttlMs },
    );
    if (!signedIn) throw new Error('a fresh guest email collided with an existing account');
    return c.json(deliverRefreshToken(c, deps.config, signedIn, deps.config.guests.ttlMs), 201);
  });
  return router;
}
