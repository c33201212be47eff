/**
 * What the auth service puts in every LiveKit token it mints, read back on the agent side.
 * The agent never imports the auth service: test/livekit-token-contract.test.ts pins that
 * these names match what it writes.
 */
export const ATTRIBUTE_USER_ID = 'attune.user_id';
export const ATTRIBUTE_SESSION_ID = 'attune.session_id';

export interface ParticipantLike {
  identity: string;
  attributes: Readonly<Record<string, string>>;
}

export type ParticipantClaims =
  | { ok: true; userId: string; sessionId: string }
  | { ok: false; reason: 'missing_attributes' | 'identity_mismatch' };

/**
 * The user and session a participant speaks for. Identity is set by the server when it signs
 * the token, so it is the authority; the attributes must agree with it.
 */
export function readParticipantClaims(participant: ParticipantLike): ParticipantClaims {
  const userId = participant.attributes[ATTRIBUTE_USER_ID];
  const sessionId = participant.attributes[ATTRIBUTE_SESSION_ID];
  if (!userId || !sessionId) return { ok: false, reason: 'missing_attributes' };
  if (userId !== participant.identity) return { ok: false, reason: 'identity_mismatch' };
  return { ok: true, userId, sessionId };
}
