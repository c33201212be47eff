import { type RouteConfig, createRoute } from '@hono/zod-openapi';
import {
  type RouteDeclaration,
  type RoutePolicy,
  type RouteShape,
  declareRoute,
  declaredResponses,
  signsIn,
} from './route-policy.ts';

/** A route's OpenAPI definition plus its policy; `security` and the error responses come from the policy. */
export type RouteDefinition = Omit<RouteConfig, 'middleware' | 'security' | 'hide'> & {
  policy: RoutePolicy;
};

/** A declared route: give it to `router.openapi(guard.route(defined), handler)`. */
export interface DefinedRoute<R extends RouteConfig> extends RouteDeclaration {
  route: R;
}

/**
 * Declares a route once: its schemas, who may call it, its rate-limit class and the error codes
 * it answers. The documented responses gain one entry per error status (the codes listed in its
 * description, 429 with its headers), and signed-in routes the bearer security scheme.
 */
export function defineRoute<D extends RouteDefinition>(
  definition: D,
): DefinedRoute<Omit<D, 'policy'> & { getRoutingPath(): string }> {
  const { policy, ...config } = definition;
  const declaration = declareRoute(policy, config);
  const route = createRoute({
    ...config,
    ...(signsIn(policy.auth) ? { security: [{ bearerAuth: [] }] } : {}),
    responses: { ...declaredResponses(declaration), ...config.responses },
  });
  // Typed as declared: the handler answers the success responses; the error entries are the policy's.
  return { ...declaration, route };
}

/**
 * The declaration of a route registered without `router.openapi` (one that reads its raw body, or
 * serves files): register it with `router.get(path, guard.middleware(declared), handler)`
 * and document it with `declared.responses`.
 */
export function declarePlainRoute(shape: RouteShape, policy: RoutePolicy) {
  const declaration = declareRoute(policy, shape);
  return { ...declaration, responses: declaredResponses(declaration) };
}
