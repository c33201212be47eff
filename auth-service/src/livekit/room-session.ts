import { openUserSession, type User } from '@attune/db';
import { z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.ts';
import { ApiError } from '../http/api-error.ts';
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

/**
 * Claims the room for the user (or confirms they own it), records a `user_sessions` row with
 * status `issued`, and mints the LiveKit token for that one room. Another user's room is a 403.
 */
export async function openRoomSession(
  deps: Pick<AppDeps, 'config' | 'database' | 'now'>,
  user: User,
  request: { roomName?: string | undefined; participantName?: string | undefined },
): Promise<RoomSession> {
  const nowMs = deps.now();
  const roomName = request.roomName ?? newRoomName();
  const session = await deps.database.groupCommit.run((db) =>
    openUserSession(db, { userId: user.id, roomName, participantIdentity: user.id }, nowMs),
  );
  if (!session) {
    throw new ApiError(403, 'room_forbidden', 'That room belongs to another user; omit room_name to get a fresh room');
  }
  const minted = await mintLiveKitToken(
    deps.config.livekit,
    { userId: user.id, displayName: request.participantName ?? user.fullName, roomName, sessionId: session.id },
  );
  return {
    livekit_token: minted.token,
    livekit_url: deps.config.livekit.url,
    room_name: roomName,
    session_id: session.id,
    expires_at: new Date(minted.expiresAtMs).toISOString(),
  };
}
