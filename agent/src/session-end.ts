import { recordSessionEnd, type AttuneDatabase } from '@attune/db';
import type { SessionUser } from './session-user.ts';

/**
 * Records when the user's session ended, as the agent saw it, unless LiveKit's webhook already
 * recorded it. Guests' sessions are recorded too: session durations are not memory.
 */
export function endSession(
  database: Pick<AttuneDatabase, 'groupCommit'>,
  user: SessionUser,
  seen: { joinedAtMs: number; endedAtMs: number; reason: string },
): Promise<boolean> {
  return database.groupCommit.run((db) =>
    recordSessionEnd(db, { userId: user.userId, sessionId: user.session.id, ...seen }),
  );
}
