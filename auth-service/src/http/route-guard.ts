import type { RouteConfig } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { every } from 'hono/combine';
import type { AppEnv } from '../app-env.ts';
import type { AppDeps } from '../deps.ts';
import { createBodyCheck } from './body-check.ts';
import type { DefinedRoute } from './define-route.ts';
import { apiError } from './error-catalog.ts';
import { createRateLimiter } from './rate-limit.ts';
import { requireMember, requireRole } from './require-role.ts';
import { requireUser } from './require-user.ts';
import { type RouteDeclaration, markDeclaration, signsIn } from './route-policy.ts';

/** Turns each route's declared policy into its middleware; one per app, so counters are shared. */
export interface RouteGuard {
  /** The route with its policy's middleware, for `router.openapi(guard.route(defined), handler)`. */
  route<R extends RouteConfig>(
    defined: DefinedRoute<R>,
  ): R & { middleware: MiddlewareHandler<AppEnv>[] };
  /** The same chain as one middleware, for routes registered without `router.openapi`. */
  middleware(declaration: RouteDeclaration): MiddlewareHandler<AppEnv>;
  /** The per-IP `general` limit for requests no route answers (their 404 and 405). */
  unrouted: MiddlewareHandler<AppEnv>;
}

const pass: MiddlewareHandler<AppEnv> = (_c, next) => next();

/**
 * A route's chain, in this order: note the codes it may answer (for the error handler's check),
 * the per-IP limit of its class, the JSON and size checks of a body, authentication, the per-user
 * limit of its class, then the member and role checks. Each step is its own middleware; none
 * reaches into another through the context.
 */
export function createRouteGuard(
  deps: Pick<AppDeps, 'config' | 'appJwt' | 'store' | 'now' | 'requestCounters'>,
): RouteGuard {
  const { rateLimit } = deps.config;
  const limiter =
    rateLimit && deps.requestCounters
      ? createRateLimiter(rateLimit, deps.now, deps.requestCounters)
      : null;
  const authenticate = requireUser(deps);
  const checkBody = createBodyCheck({
    maxBytes: deps.config.bodyLimitBytes,
    tooLarge: () => {
      throw apiError(
        'payload_too_large',
        `The request body is larger than ${deps.config.bodyLimitBytes} bytes`,
      );
    },
  });

  function chainOf(declaration: RouteDeclaration): MiddlewareHandler<AppEnv>[] {
    const { policy } = declaration;
    const codes: ReadonlySet<string> = new Set(declaration.codes);
    const declare = markDeclaration<MiddlewareHandler<AppEnv>>(async (c, next) => {
      c.set('routeErrorCodes', codes);
      await next();
    }, declaration);
    const limits =
      limiter && policy.rateLimit !== 'none'
        ? { perIp: limiter.perIp(policy.rateLimit), perUser: limiter.perUser(policy.rateLimit) }
        : null;
    const chain: MiddlewareHandler<AppEnv>[] = [declare];
    if (limits) chain.push(limits.perIp);
    chain.push(checkBody);
    if (signsIn(policy.auth)) {
      chain.push(authenticate);
      if (limits) chain.push(limits.perUser);
      if (policy.auth === 'member') chain.push(requireMember);
      if (policy.roles) chain.push(requireRole(...policy.roles));
    }
    return chain;
  }

  return {
    route: (defined) => ({ ...defined.route, middleware: chainOf(defined) }),
    middleware: (declaration) =>
      markDeclaration(every(...chainOf(declaration)) as MiddlewareHandler<AppEnv>, declaration),
    unrouted: limiter ? limiter.perIp('general') : pass,
  };
}
