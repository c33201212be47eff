import {
  type Db,
  type User,
  type UserSession,
  countActiveSessionsOf,
  findUserById,
  findUserSession,
} from '@attune/db';
import { type ParticipantLike, readParticipantClaims } from './participant-claims.ts';

/** Who the agent is talking to. Guests get the assistant without memory. */
export interface SessionUser {
  userId: string;
  displayName: string;
  memory: boolean;
  session: UserSession;
}

export type RefusalReason =
  | 'missing_attributes'
  | 'identity_mismatch'
  | 'unknown_user'
  | 'unknown_session'
  | 'room_mismatch'
  | 'session_ended'
  | 'session_limit'
  | 'suspended';

export type SessionUserResolution =
  { ok: true; user: SessionUser } | { ok: false; reason: RefusalReason };

function toSessionUser(user: User, session: UserSession): SessionUser {
  return { userId: user.id, displayName: user.fullName, memory: user.role !== 'guest', session };
}

/**
 * Resolves the participant to a user of this deployment. The identity was set by the auth
 * service when it signed the LiveKit token, so it is the authority; the attributes must agree
 * with it, and the session they name must be that user's session in this very room.
 */
export function resolveSessionUser(
  db: Db,
  participant: ParticipantLike,
  roomName: string,
  limits: { member: number; guest: number } = { member: Infinity, guest: Infinity },
): SessionUserResolution {
  const claims = readParticipantClaims(participant);
  if (!claims.ok) return claims;
  const user = findUserById(db, claims.userId);
  if (!user) return { ok: false, reason: 'unknown_user' };
  const session = findUserSession(db, user.id, claims.sessionId);
  if (!session) return { ok: false, reason: 'unknown_session' };
  if (session.roomName !== roomName || session.participantIdentity !== participant.identity) {
    return { ok: false, reason: 'room_mismatch' };
  }
  if (user.status !== 'active') return { ok: false, reason: 'suspended' };
  // An admin terminated it: the token may still be valid, but the conversation is over.
  if (session.status === 'ended' && session.endSource === 'admin')
    return { ok: false, reason: 'session_ended' };
  // Tokens are cheap; a conversation runs the agent. Past the user's limit of conversations in
  // progress, the agent does not join, however many tokens were minted before.
  const limit = user.role === 'guest' ? limits.guest : limits.member;
  if (countActiveSessionsOf(db, user.id, session.id) >= limit)
    return { ok: false, reason: 'session_limit' };
  return { ok: true, user: toSessionUser(user, session) };
}

const REFUSALS: Record<RefusalReason, string> = {
  missing_attributes: "Sorry, I can't tell who you are. Please sign in to Attune again.",
  identity_mismatch: "Sorry, I can't tell who you are. Please sign in to Attune again.",
  unknown_user: "Sorry, I can't find your account. Please sign in to Attune again.",
  unknown_session: "Sorry, I can't find this conversation. Please start a new one from Attune.",
  room_mismatch:
    'Sorry, this conversation belongs to another room. Please start a new one from Attune.',
  session_limit: 'You already have as many conversations going as allowed. Please end one first.',
  session_ended:
    'This conversation was ended by an administrator. Please start a new one from Attune.',
  suspended:
    'Sorry, this account is suspended, so I cannot talk with you. Please contact your administrator.',
};

/** The short sentence the agent says before it leaves. It never reveals anything about other users. */
export function refusalMessage(reason: RefusalReason): string {
  return REFUSALS[reason];
}
