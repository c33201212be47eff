import { createMiddleware } from 'hono/factory';
import type { AttuneStore, UserSession } from '@attune/db';
import type { AgentApiEnv } from './agent-api-env.ts';
import { agentApiError } from './agent-api-error.ts';

/** How long a session stays open to its agent around its token's and its own end. */
export interface AgentSessionWindows {
  /** After a session ended, its agent may still store the last turns and the end. */
  graceMs: number;
  /** LiveKit admits a participant with the session's token only this long after it was issued. */
  tokenTtlMs: number;
}

/**
 * Whether the agent may act on the session. An administrator's termination ends it at once. Any
 * other end (LiveKit's webhook, the sweep, the agent's own record) leaves a window for what the
 * agent has not stored yet (the last turns and the end often arrive just after LiveKit reports the
 * participant gone) and for a reconnect with the still valid token. A session nobody joined is
 * over once its token could no longer admit anyone.
 */
export function isSessionOpenToAgent(
  session: UserSession,
  nowMs: number,
  windows: AgentSessionWindows,
): boolean {
  if (session.endSource === 'admin') return false;
  if (session.sessionEnd !== null) {
    return nowMs - session.sessionEnd <= Math.max(windows.graceMs, windows.tokenTtlMs);
  }
  if (session.sessionStart === null) {
    return nowMs <= session.issuedAt + windows.tokenTtlMs + windows.graceMs;
  }
  return true;
}

/**
 * Route policy for every call about one session: the caller holds that session's credential (the
 * `{session_id}` in the path is the one it names), the session still exists for that user, the
 * user is active and the session is open to the agent. The user is always the session's, never
 * anything the caller sent.
 */
export function requireSessionScope(deps: {
  store: Pick<AttuneStore, 'agentSessions'>;
  now: () => number;
  windows: AgentSessionWindows;
}) {
  return createMiddleware<AgentApiEnv>(async (c, next) => {
    const caller = c.get('agentCaller');
    if (caller.kind !== 'session') throw agentApiError('session_credential_required');
    if (c.req.param('session_id') !== caller.sessionId) throw agentApiError('session_mismatch');
    const scope = await deps.store.agentSessions.findScope(caller.sessionId);
    if (!scope || scope.user.id !== caller.userId) {
      throw agentApiError('session_closed', 'The session no longer exists');
    }
    if (scope.user.status !== 'active') throw agentApiError('account_suspended');
    if (!isSessionOpenToAgent(scope.session, deps.now(), deps.windows)) {
      throw agentApiError('session_closed');
    }
    c.set('agentSession', scope);
    await next();
  });
}

/** Route policy for memory calls: guests have none, so their sessions are refused them. */
export const requireMemory = createMiddleware<AgentApiEnv>(async (c, next) => {
  if (c.get('agentSession').user.role === 'guest') throw agentApiError('memory_unavailable');
  await next();
});

/** Route policy for resolving a participant: only the agent secret itself may ask. */
export const requireAgentSecret = createMiddleware<AgentApiEnv>(async (c, next) => {
  if (c.get('agentCaller').kind !== 'agent') throw agentApiError('agent_secret_required');
  await next();
});
