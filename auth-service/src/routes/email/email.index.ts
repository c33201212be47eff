import {
  RESEND_VERIFICATION_MESSAGE,
  addressAwaitingVerification,
  sendVerificationMail,
  verifyEmail,
} from '../../auth/email-verification.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { resendVerificationRoute, verifyEmailRoute } from './email.routes.ts';

/** Proving an address: the link mailed at sign-up and on an email change. */
export function createEmailRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  router.openapi(guard.route(verifyEmailRoute), async (c) => {
    await verifyEmail(deps, c.req.valid('json').token, clientMeta(c).ip);
    return c.body(null, 204);
  });

  router.openapi(guard.route(resendVerificationRoute), (c) => {
    const { user } = c.get('caller');
    const to = addressAwaitingVerification(user);
    const { ip } = clientMeta(c);
    if (to !== null)
      deps.tasks.run('verification mail', () => sendVerificationMail(deps, user, to, ip));
    return c.json({ message: RESEND_VERIFICATION_MESSAGE }, 202);
  });

  return router;
}
