import type { User } from '@attune/db';
import type { RateLimitHook } from './http/rate-limit.ts';
import type { AccessClaims } from './tokens/app-jwt.ts';

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by `requireUser`: the verified caller, freshly loaded from the database. */
    caller: { user: User; claims: AccessClaims };
    /** Set by `clientIpMiddleware`: the client IP (`null` without a socket); read it with `clientIp(c)`. */
    clientIp?: string | null;
    /** Set by the rate limiter on limited routes: `requireUser` applies the per-user limit through it. */
    rateLimit?: RateLimitHook;
  };
}
