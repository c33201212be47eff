import type { User } from '@attune/db';
import type { AccessClaims } from './tokens/app-jwt.ts';

/** Per-request values the middleware sets for the handlers. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Set by `requireUser`: the verified caller, freshly loaded from the database. */
    caller: { user: User; claims: AccessClaims };
  };
}
