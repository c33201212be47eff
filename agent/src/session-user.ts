import {
  ATTRIBUTE_SESSION_ID,
  ATTRIBUTE_USER_ID,
  type RefusalReason,
  type ResolveParticipantRequest,
  type ResolvedParticipant,
} from '@attune/contract';
import {
  type AgentApiClient,
  AgentApiError,
  AgentApiUnavailable,
  type SessionApi,
} from './attune-api/agent-api-client.ts';
import type { UserContext } from './instructions.ts';

/** Who the agent is talking to, as the auth service resolved them. Guests have no memory. */
export interface SessionUser {
  sessionId: string;
  roomName: string;
  displayName: string;
  memory: boolean;
  /** The name, preferences and bounded history the instructions start from. */
  context: UserContext;
  /** Conversations before this one; null for guests, who have none on record. */
  earlierSessions: number | null;
  /** Every later call about this session, with its own credential. */
  api: SessionApi;
}

/** Why the agent does not serve a participant: the service's refusal, or no answer from it. */
export type JobRefusal = RefusalReason | 'service_unavailable';

export type SessionUserResolution =
  { ok: true; user: SessionUser } | { ok: false; reason: JobRefusal; detail?: string };

/** A participant as LiveKit hands it to the agent. */
export interface ParticipantLike {
  identity: string;
  attributes: Readonly<Record<string, string>>;
}

function toSessionUser(resolved: ResolvedParticipant, api: SessionApi): SessionUser {
  const { user, session } = resolved;
  return {
    sessionId: session.id,
    roomName: session.room_name,
    displayName: user.display_name,
    memory: user.memory,
    context: {
      displayName: user.display_name,
      memory: user.memory,
      preferences: resolved.preferences,
      history: resolved.history,
    },
    earlierSessions: resolved.earlier_sessions,
    api,
  };
}

/** The participant as the resolve call takes it: only the attributes the service signed. */
function resolveRequest(participant: ParticipantLike, roomName: string): ResolveParticipantRequest {
  const attributes: ResolveParticipantRequest['attributes'] = {};
  for (const name of [ATTRIBUTE_USER_ID, ATTRIBUTE_SESSION_ID] as const) {
    const value = participant.attributes[name];
    if (value !== undefined) attributes[name] = value;
  }
  return { room_name: roomName, identity: participant.identity, attributes };
}

/**
 * Asks the auth service who the participant is. The service checks the identity and attributes
 * it signed into the token against the session it recorded for this room; the agent only passes
 * on what LiveKit told it, and decides nothing about the user itself. The session's credential is
 * renewed the same way should a conversation outlive it.
 */
export async function resolveSessionUser(
  client: AgentApiClient,
  participant: ParticipantLike,
  roomName: string,
): Promise<SessionUserResolution> {
  const request = resolveRequest(participant, roomName);
  try {
    const answer = await client.resolveParticipant(request);
    if (answer.outcome === 'refused') return { ok: false, reason: answer.reason };
    const renew = async () => {
      const again = await client.resolveParticipant(request);
      return again.outcome === 'resolved' && again.session.id === answer.session.id
        ? again.credential
        : null;
    };
    const api = client.forSession(answer.session.id, answer.credential, renew);
    return { ok: true, user: toSessionUser(answer, api) };
  } catch (error) {
    if (error instanceof AgentApiUnavailable || error instanceof AgentApiError) {
      return { ok: false, reason: 'service_unavailable', detail: error.message };
    }
    throw error;
  }
}

/** The session id the participant's token names, for logs. */
export const sessionIdOf = (participant: ParticipantLike) =>
  participant.attributes[ATTRIBUTE_SESSION_ID];

const REFUSALS: Record<JobRefusal, string> = {
  missing_attributes: "Sorry, I can't tell who you are. Please sign in to Attune again.",
  identity_mismatch: "Sorry, I can't tell who you are. Please sign in to Attune again.",
  unknown_user: "Sorry, I can't find your account. Please sign in to Attune again.",
  unknown_session: "Sorry, I can't find this conversation. Please start a new one from Attune.",
  room_mismatch:
    'Sorry, this conversation belongs to another room. Please start a new one from Attune.',
  session_limit: 'You already have as many conversations going as allowed. Please end one first.',
  session_ended:
    'This conversation was ended by an administrator. Please start a new one from Attune.',
  session_expired: 'This conversation is over. Please start a new one from Attune.',
  suspended:
    'Sorry, this account is suspended, so I cannot talk with you. Please contact your administrator.',
  service_unavailable: "Sorry, I can't reach Attune right now. Please try again in a moment.",
};

/** The short sentence the agent says before it leaves. It never reveals anything about other users. */
export function refusalMessage(reason: JobRefusal): string {
  return REFUSALS[reason];
}
