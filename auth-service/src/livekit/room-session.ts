import { z } from '@hono/zod-openapi';
import type { User, UserSession } from '@attune/db';
import type { AppDeps } from '../deps.ts';
import { mintLiveKitToken } from '../tokens/livekit-token.ts';
import { newRoomName } from './room-name.ts';

export const roomSessionSchema = z.object({
  livekit_token: z.string(),
  livekit_url: z.string(),
  room_name: z.string(),
  session_id: z.string(),
  expires_at: z.string().describe('ISO 8601: when the LiveKit token stops admitting new joins'),
});

export type RoomSession = z.infer<typeof roomSessionSchema>;

export type RoomSessionResult =
  { ok: true; room: RoomSession } | { ok: false; reason: 'room_forbidden' | 'session_limit' };

/**
 * How many sessions a user may have in progress at once (joined and not ended). Tokens not used
 * yet do not count: they cost nothing until joined, and the token rate limit bounds them.
 */
export function sessionLimitOf(config: AppDeps['config'], user: Pick<User, 'role'>): number {
  return user.role === 'guest' ? config.guests.maxSessions : config.maxSessionsPerUser;
}

/**
 * Claims the room for the user (or confirms they own it) and records a `user_sessions` row with
 * status `issued` (one unit of the store), then mints the LiveKit token for that one room.
 * Another user's room is refused, and so is a new session while the user already has as many in
 * progress as allowed; then nothing is written. The count and the insert share one transaction.
 */
export async function openRoomSession(
  deps: Pick<AppDeps, 'config' | 'store' | 'now'>,
  user: User,
  request: {
    roomName?: string | undefined;
    participantName?: string | undefined;
    ip?: string | null;
  },
): Promise<RoomSessionResult> {
  const nowMs = deps.now();
  const roomName = request.roomName ?? newRoomName();
  const outcome = await deps.store.roomSessions.open(
    {
      userId: user.id,
      roomName,
      participantIdentity: user.id,
      maxActive: sessionLimitOf(deps.config, user),
    },
    nowMs,
    (session) => ({
      action: 'token_minted',
      actorId: user.id,
      target: session.id,
      ip: request.ip ?? null,
      detail: { room: roomName },
    }),
  );
  if (outcome.status !== 'opened') return { ok: false, reason: outcome.status };
  const { session } = outcome;
  return { ok: true, room: mintRoomAccess(deps, user, session, request.participantName) };
}

/** The LiveKit token and connection details for a recorded session. */
export function mintRoomAccess(
  deps: Pick<AppDeps, 'config'>,
  user: User,
  session: UserSession,
  participantName?: string,
): RoomSession {
  const minted = mintLiveKitToken(deps.config.livekit, {
    userId: user.id,
    displayName: participantName ?? user.fullName,
    roomName: session.roomName,
    sessionId: session.id,
  });
  return {
    livekit_token: minted.token,
    livekit_url: deps.config.livekit.publicUrl,
    room_name: session.roomName,
    session_id: session.id,
    expires_at: new Date(minted.expiresAtMs).toISOString(),
  };
}
