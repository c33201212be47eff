import { log, voice } from '@livekit/agents';
import { type AttuneDatabase, markSessionJoined, recordSessionEnd } from '@attune/db';
import type { SessionUser } from './session-user.ts';

export type RecordSessionEnd = (reason: string, endedAtMs: number) => Promise<boolean>;

/** Records that the user joined (the session becomes active) as soon as the agent has resolved them. */
export function recordSessionJoined(
  database: Pick<AttuneDatabase, 'groupCommit'>,
  user: SessionUser,
  joinedAtMs: number,
): Promise<boolean> {
  return database.groupCommit
    .run((db) =>
      markSessionJoined(db, { userId: user.userId, sessionId: user.session.id, joinedAtMs }),
    )
    .catch((error: unknown) => {
      log().error(
        { err: error, sessionId: user.session.id },
        'could not record the start of the session',
      );
      return false;
    });
}

/**
 * Records when the user's session ended, as the agent saw it, unless LiveKit's webhook already
 * recorded it. Guests' sessions are recorded too: session durations are not memory. A failed
 * write is logged and reported as not recorded.
 */
export function sessionEndRecorder(
  database: Pick<AttuneDatabase, 'groupCommit'>,
  user: SessionUser,
  joinedAtMs: number,
): RecordSessionEnd {
  return (reason, endedAtMs) =>
    database.groupCommit
      .run((db) =>
        recordSessionEnd(db, {
          userId: user.userId,
          sessionId: user.session.id,
          joinedAtMs,
          endedAtMs,
          reason,
        }),
      )
      .catch((error: unknown) => {
        log().error(
          { err: error, sessionId: user.session.id },
          'could not record the end of the session',
        );
        return false;
      });
}

/**
 * When the session closes (the user left, or an unrecoverable error), records its end with the
 * close reason and then calls `onEnded`; the job has nothing left to do after that.
 */
export function endWithSession(
  session: voice.AgentSession,
  recordEnd: RecordSessionEnd,
  onEnded: (reason: string) => void,
): void {
  session.on(voice.AgentSessionEventTypes.Close, ({ reason, createdAt }) => {
    void recordEnd(String(reason), createdAt).finally(() => onEnded(String(reason)));
  });
}
