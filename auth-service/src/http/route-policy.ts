import type { UserRole } from '@attune/db';
import { ERROR_CATALOG, type ErrorCode } from './error-catalog.ts';
import { errorBodySchema } from './error-responses.ts';
import type { RateLimitClass } from './rate-limit.ts';

/**
 * Who may call a route:
 * - `public`: anyone, no credentials;
 * - `signed_in`: a bearer access token of any role, guests included;
 * - `member`: signed in and not a guest (guests have no memory);
 * - `livekit`: LiveKit's signature over the body, checked by the handler (it needs the body);
 * - `metrics`: the METRICS_TOKEN bearer, checked by the handler.
 */
export type RouteAuth = 'public' | 'signed_in' | 'member' | 'livekit' | 'metrics';

/** Everything about a route besides its schemas, declared with its OpenAPI definition. */
export interface RoutePolicy {
  auth: RouteAuth;
  /** Only these roles (needs `signed_in` or `member`). */
  roles?: readonly UserRole[];
  /** Which counters the route counts against: per IP, and per user once signed in. */
  rateLimit: RateLimitClass | 'none';
  /** The codes the handler itself throws; those the policy implies are added (see `answers`). */
  errors: readonly ErrorCode[];
}

/** What the declaration needs to know of the request: its method, and which inputs it validates. */
export interface RouteShape {
  method: string;
  request?: { body?: unknown; query?: unknown; params?: unknown; headers?: unknown };
}

/** A route's policy with every error code it may answer: declared and implied. */
export interface RouteDeclaration {
  policy: RoutePolicy;
  codes: readonly ErrorCode[];
}

const METHODS_WITH_BODY = new Set(['post', 'put', 'patch', 'delete']);

export const signsIn = (auth: RouteAuth) => auth === 'signed_in' || auth === 'member';

/** The codes the policy and the request's shape add to those the handler declares. */
function impliedCodes(policy: RoutePolicy, shape: RouteShape): ErrorCode[] {
  const codes: ErrorCode[] = [];
  const { request } = shape;
  if (request?.body || request?.query || request?.params || request?.headers)
    codes.push('validation_failed');
  if (request?.body) codes.push('invalid_json');
  // Every request with a body is checked for JSON, size and UTF-8 (http/route-guard.ts).
  if (METHODS_WITH_BODY.has(shape.method.toLowerCase()))
    codes.push('payload_too_large', 'unsupported_media_type', 'invalid_utf8');
  if (signsIn(policy.auth) || policy.auth === 'metrics') codes.push('unauthorized');
  if (policy.auth === 'livekit') codes.push('signature_missing', 'signature_invalid');
  if (policy.auth === 'member') codes.push('guest_no_memory');
  if (policy.roles) codes.push('forbidden');
  if (policy.rateLimit !== 'none') codes.push('rate_limited');
  return codes;
}

export function declareRoute(policy: RoutePolicy, shape: RouteShape): RouteDeclaration {
  if (policy.roles && !signsIn(policy.auth))
    throw new Error(`a route limited to roles must be signed in, not ${policy.auth}`);
  return { policy, codes: [...new Set([...impliedCodes(policy, shape), ...policy.errors])] };
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Missing, invalid or expired credentials',
  403: 'Not allowed for this caller',
  404: 'Not found',
  409: 'Conflicts with existing data',
  413: 'Body larger than the limit',
  415: 'Body is not JSON',
  429: 'Too many requests from this client or user; try again after Retry-After seconds',
  502: 'An upstream service failed',
  503: 'Not available now; try again shortly',
};

const integer = { schema: { type: 'integer' as const } };
const RATE_LIMIT_HEADERS = {
  'Retry-After': { description: 'Seconds to wait', ...integer },
  'RateLimit-Limit': { description: 'Requests allowed in the window', ...integer },
  'RateLimit-Remaining': { description: 'Requests left in the window', ...integer },
  'RateLimit-Reset': { description: 'Seconds until the window resets', ...integer },
  'RateLimit-Policy': {
    description: 'The quota: `<limit>;w=<window seconds>`',
    schema: { type: 'string' as const },
  },
};

interface ErrorResponse {
  description: string;
  headers?: typeof RATE_LIMIT_HEADERS;
  content: { 'application/json': { schema: typeof errorBodySchema } };
}

/**
 * The documented error responses of a declaration: one per status, its description listing each
 * code with its default message (the code is `error.code` in the body).
 */
export function declaredResponses(declaration: RouteDeclaration): Record<number, ErrorResponse> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of declaration.codes) {
    const { status } = ERROR_CATALOG[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, ErrorResponse> = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const list = codes.map((code) => `- \`${code}\`: ${ERROR_CATALOG[code].message}`).join('\n');
    responses[status] = {
      description: `${STATUS_TEXT[status] ?? 'Error'}. \`error.code\` is one of:\n${list}`,
      ...(status === 429 ? { headers: RATE_LIMIT_HEADERS } : {}),
      content: { 'application/json': { schema: errorBodySchema } },
    };
  }
  return responses;
}

/**
 * The declaration each route's first middleware carries, so the app's own route table tells every
 * route's policy (the permission-matrix and OpenAPI tests read it there).
 */
const declarations = new WeakMap<object, RouteDeclaration>();

export function markDeclaration<H extends object>(handler: H, declaration: RouteDeclaration): H {
  declarations.set(handler, declaration);
  return handler;
}

/** The declaration a route-table entry's handler carries, if it is a route's policy middleware. */
export function declarationOf(handler: object): RouteDeclaration | undefined {
  return declarations.get(handler);
}
