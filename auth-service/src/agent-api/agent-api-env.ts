import type { AgentSessionScope } from '@attune/db';
import type { SessionClaims } from './agent-credentials.ts';

/** Who called the internal agent API, as `authenticateAgent` decided from the bearer token. */
export type AgentCaller = { kind: 'agent' } | ({ kind: 'session' } & SessionClaims);

/** Per-request values of the internal agent API. */
export interface AgentApiEnv {
  Variables: {
    requestId: string;
    /** Set for every path under /agent/v1/ before routing: unauthenticated calls never get further. */
    agentCaller: AgentCaller;
    /** Set by `requireSessionScope`: the session the credential names, checked to be live. */
    agentSession: AgentSessionScope;
  };
}
