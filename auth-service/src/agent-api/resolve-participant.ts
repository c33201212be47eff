import {
  ATTRIBUTE_SESSION_ID,
  ATTRIBUTE_USER_ID,
  type RefusalReason,
  type ResolveParticipantRequest,
  type ResolveParticipantResponse,
} from '@attune/contract';
import type { AgentUserMemory } from '@attune/db';
import { audit } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';
import { sessionLimitOf } from '../livekit/room-session.ts';
import type { RecentRefusals } from './refusal-audit.ts';
import { type AgentSessionWindows, isSessionOpenToAgent } from './session-scope.ts';

type ResolveDeps = Pick<AppDeps, 'config' | 'store' | 'agentCredentials' | 'now'> & {
  windows: AgentSessionWindows;
  /** Refusals audited lately: each (reason, target) is audited once a minute at most. */
  refusals: RecentRefusals;
};

const NO_MEMORY: AgentUserMemory = { preferences: [], history: [], earlierSessions: 0 };

/**
 * Whom the agent is talking to, decided from what LiveKit tells it about the participant. The
 * identity was set by this service when it signed the token, so it is the authority; the
 * attributes must agree with it, and the session they name must be that user's, issued for this
 * very room and identity, with the user active, the session not terminated nor long over, and the
 * user within their limit of conversations in progress. Anything else is refused with the reason.
 */
export async function resolveParticipant(
  deps: ResolveDeps,
  request: ResolveParticipantRequest,
): Promise<ResolveParticipantResponse> {
  const outcome = await decide(deps, request);
  if ('refused' in outcome) {
    const target = request.attributes[ATTRIBUTE_SESSION_ID] ?? request.identity;
    if (deps.refusals.isNew(`${outcome.refused}:${target}`, deps.now())) {
      await audit(deps, {
        action: 'agent_refused',
        actorId: null,
        target,
        ip: null,
        detail: { reason: outcome.refused, room: request.room_name },
      });
    }
    return { outcome: 'refused', reason: outcome.refused };
  }

  const { user, session } = outcome;
  const memory = user.role !== 'guest';
  const { agentApi } = deps.config;
  const remembered = memory
    ? await deps.store.agentSessions.readUserMemory({
        userId: user.id,
        sessionId: session.id,
        budget: { maxTurns: agentApi.historyMaxTurns, maxChars: agentApi.historyMaxChars },
      })
    : NO_MEMORY;
  const { credential, expiresAtMs } = await deps.agentCredentials.issue(
    { sessionId: session.id, userId: user.id },
    deps.now(),
  );
  return {
    outcome: 'resolved',
    credential,
    credential_expires_at_ms: expiresAtMs,
    session: { id: session.id, room_name: session.roomName, issued_at_ms: session.issuedAt },
    user: { display_name: user.fullName, memory },
    preferences: remembered.preferences.map((p) => ({
      key: p.key,
      value: p.value,
      updated_at_ms: p.updatedAt,
    })),
    history: remembered.history.map((t) => ({
      role: t.role,
      text: t.text,
      created_at_ms: t.createdAt,
    })),
    earlier_sessions: memory ? remembered.earlierSessions : null,
    limits: { max_preferences: deps.config.maxPreferencesPerUser },
  };
}

async function decide(deps: ResolveDeps, request: ResolveParticipantRequest) {
  const refuse = (reason: RefusalReason) => ({ refused: reason });
  const userId = request.attributes[ATTRIBUTE_USER_ID];
  const sessionId = request.attributes[ATTRIBUTE_SESSION_ID];
  if (!userId || !sessionId) return refuse('missing_attributes');
  if (userId !== request.identity) return refuse('identity_mismatch');

  const scope = await deps.store.agentSessions.findScope(sessionId);
  if (!scope || scope.user.id !== userId) {
    return refuse((await deps.store.users.findById(userId)) ? 'unknown_session' : 'unknown_user');
  }
  const { session, user } = scope;
  if (session.roomName !== request.room_name || session.participantIdentity !== request.identity) {
    return refuse('room_mismatch');
  }
  if (user.status !== 'active') return refuse('suspended');
  // An admin terminated it: the token may still be valid, but the conversation is over.
  if (session.endSource === 'admin') return refuse('session_ended');
  // Long over, or never joined while its token could admit anyone: an old session's ids must not
  // reopen it, nor read its user's memory.
  if (!isSessionOpenToAgent(session, deps.now(), deps.windows)) return refuse('session_expired');
  // Tokens are cheap; a conversation runs the agent. Past the user's limit of conversations in
  // progress, the agent does not join, however many tokens were minted before.
  const active = await deps.store.agentSessions.countActive(user.id, session.id);
  if (active >= sessionLimitOf(deps.config, user)) {
    return refuse('session_limit');
  }
  return { user, session };
}
