import { type Db, type User, insertRefreshTokenFamily, openUserSession } from '@attune/db';
import { auditIn } from '../audit/audit.ts';
import type { AppDeps } from '../deps.ts';
import { newRoomName } from '../livekit/room-name.ts';
import { type RoomSession, mintRoomAccess } from '../livekit/room-session.ts';
import { newRefreshToken } from '../tokens/refresh-token.ts';
import { type UserResponse, toUserResponse } from '../users/user-response.ts';
import { type Credentials, accessCredentials } from './credentials.ts';

export type SignedIn = Credentials & Partial<RoomSession> & { user: UserResponse };

/**
 * Whether signing in comes with a LiveKit token for a fresh room: not for an account that has not
 * confirmed its address while REQUIRE_EMAIL_VERIFICATION is on (guests have no address to confirm).
 */
export function mayOpenRooms(config: AppDeps['config'], user: User): boolean {
  return !config.requireEmailVerification || user.role === 'guest' || user.emailVerifiedAt !== null;
}

/**
 * Signs a user in on a new device, all or nothing: `writeUser` (create the account, or stamp
 * the login), a new refresh-token family and, when the account may open rooms (`mayOpenRooms`), a
 * session in a fresh room are written in one transaction; then the access token and the LiveKit
 * token are signed, side by side. `undefined` when `writeUser` writes nothing (e.g. the email is
 * taken); an error it throws rolls everything back.
 */
export async function signIn(
  deps: Pick<AppDeps, 'config' | 'database' | 'appJwt' | 'now'>,
  meta: { ip: string | null; userAgent: string | null },
  writeUser: (db: Db) => User | undefined,
  options: { refreshTtlMs?: number } = {},
): Promise<SignedIn | undefined> {
  const nowMs = deps.now();
  const refresh = newRefreshToken();
  const roomName = newRoomName();
  const { db } = deps.database;
  const written = db.transaction(
    () => {
      const user = writeUser(db);
      if (!user) return undefined;
      const family = insertRefreshTokenFamily(
        db,
        {
          userId: user.id,
          tokenHash: refresh.tokenHash,
          expiresAt: nowMs + (options.refreshTtlMs ?? deps.config.refreshTokenTtlMs),
          ...meta,
        },
        nowMs,
      );
      if (!mayOpenRooms(deps.config, user))
        return { user, familyId: family.familyId, session: null };
      const session = openUserSession(
        db,
        { userId: user.id, roomName, participantIdentity: user.id },
        nowMs,
      );
      // A fresh name has 122 random bits; a clash means something is badly wrong, so roll back.
      if (!session) throw new Error('a freshly generated room name is already taken');
      auditIn(
        db,
        {
          action: 'token_minted',
          actorId: user.id,
          target: session.id,
          ip: meta.ip,
          detail: { room: roomName },
        },
        nowMs,
      );
      return { user, familyId: family.familyId, session };
    },
    { behavior: 'immediate' },
  );
  if (!written) return undefined;
  const { session } = written;
  const credentials = await accessCredentials(
    deps,
    written.user,
    written.familyId,
    refresh.token,
    nowMs,
  );
  const room = session ? mintRoomAccess(deps, written.user, session) : undefined;
  return { ...credentials, ...room, user: toUserResponse(written.user) };
}
