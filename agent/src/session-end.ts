import { log, voice } from '@livekit/agents';
import type { EndReason } from '@attune/contract';
import type { SessionApi } from './attune-api/agent-api-client.ts';
import type { TurnOutbox } from './attune-api/turn-outbox.ts';
import type { EndReasonTracker } from './end-reason.ts';

/** How long a closing job waits for the turns still queued to reach the service. */
export const TURN_FLUSH_TIMEOUT_MS = 10_000;

export type RecordSessionEnd = (reason: EndReason, endedAtMs: number) => Promise<boolean>;

/** Records that the user joined (the session becomes active) as soon as the agent has resolved them. */
export async function recordSessionJoined(api: SessionApi, joinedAtMs: number): Promise<boolean> {
  try {
    return (await api.join(joinedAtMs)).recorded;
  } catch (error) {
    log().error(
      { err: error, sessionId: api.sessionId },
      'could not record the start of the session',
    );
    return false;
  }
}

/**
 * Records when the user's session ended, as the agent saw it, unless LiveKit's webhook already
 * recorded it (the service keeps the first end, and lets the webhook's replace the agent's).
 * Guests' sessions are recorded too: session durations are not memory. Only the first call of
 * this job is sent; a failure is logged and reported as not recorded.
 */
export function sessionEndRecorder(api: SessionApi, joinedAtMs: number): RecordSessionEnd {
  let sent: Promise<boolean> | undefined;
  return (reason, endedAtMs) =>
    (sent ??= api
      .end({ reason, joined_at_ms: joinedAtMs, ended_at_ms: endedAtMs })
      .then((answer) => answer.recorded)
      .catch((error: unknown) => {
        log().error(
          { err: error, sessionId: api.sessionId },
          'could not record the end of the session',
        );
        return false;
      }));
}

/**
 * When the session closes (the user left, the room went away, the worker stopped, or an
 * unrecoverable error), stores the turns still queued, records the end with its true reason, and
 * then calls `onEnded`: the job has nothing left to do after that.
 */
export function endWithSession(
  session: voice.AgentSession,
  input: {
    tracker: EndReasonTracker;
    recordEnd: RecordSessionEnd;
    outbox: TurnOutbox | null;
    onEnded: (reason: EndReason) => void;
  },
): void {
  session.on(voice.AgentSessionEventTypes.Close, ({ reason, createdAt }) => {
    const endReason = input.tracker.reasonFor(String(reason));
    input.tracker.dispose();
    void (input.outbox?.close(TURN_FLUSH_TIMEOUT_MS) ?? Promise.resolve(0))
      .then(() => input.recordEnd(endReason, createdAt))
      .finally(() => input.onEnded(endReason));
  });
}
