import type { NewSignIn, SignInRecord, User } from '@attune/db';
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
 * Signs a user in on a new device, all or nothing: `write` runs the store's sign-in unit (sign-up,
 * login or guest) with what every sign-in writes beside its user part — a new refresh-token family
 * and, when the account may open rooms (`mayOpenRooms`), a session in a fresh room with its
 * `token_minted` entry — all in one transaction; then the access token and the LiveKit token are
 * signed, side by side. `undefined` when the unit wrote nothing (e.g. the email is taken).
 */
export async function signIn(
  deps: Pick<AppDeps, 'config' | 'appJwt' | 'now'>,
  meta: { ip: string | null; userAgent: string | null },
  write: (signIn: NewSignIn, nowMs: number) => Promise<SignInRecord | undefined>,
  options: { refreshTtlMs?: number } = {},
): Promise<SignedIn | undefined> {
  const nowMs = deps.now();
  const refresh = newRefreshToken();
  const roomName = newRoomName();
  const written = await write(
    {
      device: {
        tokenHash: refresh.tokenHash,
        expiresAt: nowMs + (options.refreshTtlMs ?? deps.config.refreshTokenTtlMs),
        ...meta,
      },
      room: {
        roomName,
        opensFor: (user) => mayOpenRooms(deps.config, user),
        audit: (session) => ({
          action: 'token_minted',
          actorId: session.userId,
          target: session.id,
          ip: meta.ip,
          detail: { room: roomName },
        }),
      },
    },
    nowMs,
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
