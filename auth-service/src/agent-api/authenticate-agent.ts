import { createMiddleware } from 'hono/factory';
import type { AgentApiEnv } from './agent-api-env.ts';
import { agentApiError } from './agent-api-error.ts';
import { type AgentCredentials, InvalidAgentCredential } from './agent-credentials.ts';

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Runs for every path under /agent/v1/, known or not, before any route: a call without a valid
 * credential is a 401 and learns nothing else, not even whether the path exists. Which kind of
 * credential a route takes is that route's own policy (`requireAgentSecret`, `requireSessionScope`).
 */
export function authenticateAgent(deps: { credentials: AgentCredentials; now: () => number }) {
  return createMiddleware<AgentApiEnv>(async (c, next) => {
    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    if (!token) throw agentApiError('credential_missing');
    if (deps.credentials.isAgentSecret(token)) {
      c.set('agentCaller', { kind: 'agent' });
    } else {
      try {
        const claims = await deps.credentials.verify(token, deps.now());
        c.set('agentCaller', { kind: 'session', ...claims });
      } catch (error) {
        if (!(error instanceof InvalidAgentCredential)) throw error;
        throw agentApiError(
          error.reason === 'expired' ? 'credential_expired' : 'credential_invalid',
        );
      }
    }
    await next();
  });
}
