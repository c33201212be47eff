import type { User } from '@attune/db';
import type { AccessClaims } from './tokens/app-jwt.ts';

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by `requireUser`: the verified caller, freshly loaded from the database. */
    caller: { user: User; claims: AccessClaims };
    /** Set by `clientIpMiddleware`: the client IP (`null` without a socket); read it with `clientIp(c)`. */
    clientIp?: string | null;
    /** Set by the matched route's policy: every error code it may answer (the error handler checks). */
    routeErrorCodes?: ReadonlySet<string>;
  };
}
