import {
  FORGOT_PASSWORD_MESSAGE,
  requestPasswordReset,
  resetPassword,
} from '../../auth/password-reset.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { forgotPasswordRoute, resetPasswordRoute } from './password.routes.ts';

/** Getting back into an account through a link mailed to its address. */
export function createPasswordRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  router.openapi(guard.route(forgotPasswordRoute), (c) => {
    const { email } = c.req.valid('json');
    const { ip } = clientMeta(c);
    // Answer first; the lookup and the mail happen after, so nothing in the answer differs.
    deps.tasks.run('password reset request', () => requestPasswordReset(deps, email, ip));
    return c.json({ message: FORGOT_PASSWORD_MESSAGE }, 202);
  });

  router.openapi(guard.route(resetPasswordRoute), async (c) => {
    const body = c.req.valid('json');
    await resetPassword(deps, {
      token: body.token,
      newPassword: body.new_password,
      ip: clientMeta(c).ip,
    });
    return c.body(null, 204);
  });

  return router;
}
