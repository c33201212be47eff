import { AGENT_API_LIMITS } from '@attune/contract';
import { type UserSession, normalizePreferenceKey } from '@attune/db';
import type { AgentApiEnv } from '../../agent-api/agent-api-env.ts';
import { agentApiError } from '../../agent-api/agent-api-error.ts';
import { RecentRefusals } from '../../agent-api/refusal-audit.ts';
import { resolveParticipant } from '../../agent-api/resolve-participant.ts';
import {
  type AgentSessionWindows,
  requireAgentSecret,
  requireMemory,
  requireSessionScope,
} from '../../agent-api/session-scope.ts';
import type { AppDeps } from '../../deps.ts';
import { createRouter } from '../../http/router.ts';
import {
  appendTurnsRoute,
  endSessionRoute,
  forgetPreferenceRoute,
  joinSessionRoute,
  listPreferencesRoute,
  recallRoute,
  rememberPreferenceRoute,
  resolveParticipantRoute,
} from './agent.routes.ts';

/** How many turns a recall reads back: enough for a spoken summary, short enough to say. */
const RECALL_LIMIT = 6;

type AgentRouteDeps = Pick<AppDeps, 'config' | 'store' | 'agentCredentials' | 'now'>;

/** `ms` kept between `earliest` and `latest`. */
const clamp = (ms: number, earliest: number, latest: number) =>
  Math.min(Math.max(ms, earliest), Math.max(earliest, latest));

/** The internal agent API's routes, each registered with the policy it needs. */
export function createAgentRouter(deps: AgentRouteDeps) {
  const router = createRouter<AgentApiEnv>();
  const windows: AgentSessionWindows = {
    graceMs: deps.config.agentApi.sessionGraceMs,
    tokenTtlMs: deps.config.livekit.tokenTtlMs,
  };
  const refusals = new RecentRefusals();
  const sessionScope = requireSessionScope({ store: deps.store, now: deps.now, windows });
  const maxSessionMs = deps.config.sessions.maxSessionMs;

  // Times the agent reports are kept within the session's life as this service knows it: joined
  // after the token was issued and before it stopped admitting anyone, ended after the join and at
  // most the longest session later, never in the future.
  const joinTime = (session: UserSession, reportedMs: number, nowMs: number) =>
    session.sessionStart ??
    clamp(
      reportedMs,
      session.issuedAt,
      Math.min(nowMs, session.issuedAt + windows.tokenTtlMs + windows.graceMs),
    );
  const endTime = (joinedAtMs: number, reportedMs: number, nowMs: number) =>
    clamp(reportedMs, joinedAtMs, Math.min(nowMs, joinedAtMs + maxSessionMs));
  const forSession = [sessionScope];
  const forMemory = [sessionScope, requireMemory];
  const maxPreferences = deps.config.maxPreferencesPerUser;

  router.openapi({ ...resolveParticipantRoute, middleware: [requireAgentSecret] }, async (c) =>
    c.json(await resolveParticipant({ ...deps, windows, refusals }, c.req.valid('json')), 200),
  );

  router.openapi({ ...joinSessionRoute, middleware: forSession }, async (c) => {
    const { session } = c.get('agentSession');
    const joinedAtMs = joinTime(session, c.req.valid('json').joined_at_ms, deps.now());
    const recorded = await deps.store.agentSessions.markJoined({
      userId: session.userId,
      sessionId: session.id,
      joinedAtMs,
    });
    return c.json({ recorded }, 200);
  });

  router.openapi({ ...endSessionRoute, middleware: forSession }, async (c) => {
    const { session } = c.get('agentSession');
    const body = c.req.valid('json');
    const nowMs = deps.now();
    const joinedAtMs = joinTime(session, body.joined_at_ms, nowMs);
    const endedAtMs = endTime(joinedAtMs, body.ended_at_ms, nowMs);
    const recorded = await deps.store.agentSessions.recordEnd({
      userId: session.userId,
      sessionId: session.id,
      joinedAtMs,
      endedAtMs,
      reason: body.reason,
    });
    return c.json({ recorded }, 200);
  });

  router.openapi({ ...listPreferencesRoute, middleware: forMemory }, async (c) => {
    const { user } = c.get('agentSession');
    const preferences = (await deps.store.preferences.list(user.id)).map((p) => ({
      key: p.key,
      value: p.value,
      updated_at_ms: p.updatedAt,
    }));
    return c.json({ preferences }, 200);
  });

  router.openapi({ ...rememberPreferenceRoute, middleware: forMemory }, async (c) => {
    const { user } = c.get('agentSession');
    const body = c.req.valid('json');
    const key = normalizePreferenceKey(body.key);
    if (!key) return c.json({ outcome: 'invalid_key' as const }, 200);
    const nowMs = deps.now();
    const result = await deps.store.preferences.save(
      { userId: user.id, key, value: body.value, maxPerUser: maxPreferences },
      nowMs,
    );
    return result === 'saved'
      ? c.json({ outcome: 'saved' as const, key, value: body.value }, 200)
      : c.json({ outcome: 'limit_reached' as const, key, max_preferences: maxPreferences }, 200);
  });

  router.openapi({ ...forgetPreferenceRoute, middleware: forMemory }, async (c) => {
    const { user } = c.get('agentSession');
    const key = normalizePreferenceKey(c.req.valid('json').key);
    const forgotten = key !== '' && (await deps.store.preferences.delete(user.id, key));
    return c.json({ forgotten, key }, 200);
  });

  router.openapi({ ...recallRoute, middleware: forMemory }, async (c) => {
    const { user, session } = c.get('agentSession');
    const { words } = c.req.valid('json');
    const turns =
      words.length === 0
        ? await deps.store.conversationTurns.previousSession(user.id, session.id, RECALL_LIMIT)
        : await deps.store.conversationTurns.search(user.id, {
            words,
            excludeSessionId: session.id,
            limit: RECALL_LIMIT,
          });
    return c.json(
      {
        scope: words.length === 0 ? ('previous_conversation' as const) : ('search' as const),
        turns: turns.map((t) => ({ role: t.role, text: t.text, created_at_ms: t.createdAt })),
      },
      200,
    );
  });

  router.openapi({ ...appendTurnsRoute, middleware: forMemory }, async (c) => {
    const { user, session } = c.get('agentSession');
    const { turns } = c.req.valid('json');
    if (turns.length > AGENT_API_LIMITS.maxTurnsPerBatch) {
      throw agentApiError(
        'batch_too_large',
        `A batch holds at most ${AGENT_API_LIMITS.maxTurnsPerBatch} turns; this one has ${turns.length}`,
      );
    }
    const nowMs = deps.now();
    const stored = await deps.store.conversationTurns.appendClientTurns(
      { userId: user.id, sessionId: session.id },
      turns.map((turn) => ({
        clientTurnId: turn.id,
        role: turn.role,
        text: turn.text,
        createdAt: clamp(turn.created_at_ms, session.issuedAt, nowMs),
      })),
    );
    return c.json({ stored, duplicates: turns.length - stored }, 200);
  });

  return router;
}
