import { RoomServiceClient } from 'livekit-server-sdk';
import type { Config } from '../config/config.ts';
import type { AppDeps } from '../deps.ts';

export interface RemovalTarget {
  roomName: string;
  identity: string;
}

export interface RemovalReport {
  /** Participants LiveKit disconnected. */
  removed: RemovalTarget[];
  /** Sessions whose participant was not in the room (already gone, or never joined). */
  notInRoom: RemovalTarget[];
  /** Calls that failed, e.g. LiveKit unreachable: the caller reports them, never hides them. */
  failed: (RemovalTarget & { error: string })[];
}

/** LiveKit's server API speaks HTTP on the same host and port as its WebSocket URL. */
export function liveKitApiUrl(url: string): string {
  return url.replace(/^ws(s?):\/\//, 'http$1://');
}

/** A 404 from LiveKit's Twirp API: the participant (or the room) is not there. */
function isNotFound(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status === 404 || /not[_ ]found|does not exist/i.test(String((error as Error).message));
}

/**
 * Disconnects a user's participants from live rooms through `RoomServiceClient.removeParticipant`,
 * each call on its own, so one unreachable room does not hide the others' outcome.
 */
export async function removeParticipants(
  livekit: Config['livekit'],
  targets: RemovalTarget[],
): Promise<RemovalReport> {
  const client = new RoomServiceClient(
    liveKitApiUrl(livekit.url),
    livekit.apiKey,
    livekit.apiSecret,
    // LIVEKIT_API_TIMEOUT_SECONDS, not the SDK's 10 s: a removal that does not answer sooner is
    // reported as failed rather than holding an admin's request open.
    { requestTimeout: livekit.apiTimeoutMs / 1000 },
  );
  const report: RemovalReport = { removed: [], notInRoom: [], failed: [] };
  await Promise.all(
    targets.map(async (target) => {
      try {
        await client.removeParticipant(target.roomName, target.identity);
        report.removed.push(target);
      } catch (error) {
        if (isNotFound(error)) report.notInRoom.push(target);
        else report.failed.push({ ...target, error: (error as Error).message || String(error) });
      }
    }),
  );
  return report;
}

/** Where the user may be connected right now: rooms of sessions joined and not ended, or with a valid token. */
export async function liveRoomsOf(
  deps: Pick<AppDeps, 'config' | 'store' | 'now'>,
  userId: string,
): Promise<RemovalTarget[]> {
  const sessions = await deps.store.admin.liveSessions(
    userId,
    deps.now() - deps.config.livekit.tokenTtlMs,
  );
  return sessions.map((s) => ({ roomName: s.roomName, identity: s.participantIdentity }));
}

/**
 * Disconnects the user from the rooms they may be in, after a change that has already committed
 * (a new password: whoever held the old one may be connected). Each call is bounded by
 * LIVEKIT_API_TIMEOUT_SECONDS; a failure is logged and never thrown, since the change itself
 * stands. Returns the report, or `null` when something before the calls failed.
 */
export async function disconnectFromLiveRooms(
  deps: Pick<AppDeps, 'config' | 'store' | 'now' | 'logger'>,
  userId: string,
  why: string,
): Promise<RemovalReport | null> {
  try {
    const targets = await liveRoomsOf(deps, userId);
    if (targets.length === 0) return { removed: [], notInRoom: [], failed: [] };
    const report = await removeParticipants(deps.config.livekit, targets);
    if (report.failed.length > 0)
      deps.logger.warn(
        { userId, failed: report.failed.length },
        `could not remove a user from their LiveKit rooms after ${why}`,
      );
    return report;
  } catch (error) {
    deps.logger.warn(
      { err: error, userId },
      `could not remove a user from their LiveKit rooms after ${why}`,
    );
    return null;
  }
}
