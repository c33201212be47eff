import type { SessionTimeline } from './queries/session-timeline.ts';

/** What LiveKit reported about one participant connection, in milliseconds. */
export type TimelineEvent =
  | { type: 'joined'; joinedAtMs: number }
  /** `joinedAtMs` is when the connection that left had joined (LiveKit sends it with the leave). */
  | { type: 'left'; joinedAtMs: number; leftAtMs: number; reason: string }
  | { type: 'room_finished'; finishedAtMs: number };

const durationSeconds = (startMs: number, endMs: number) =>
  Math.max(0, Math.round((endMs - startMs) / 1000));

/** An end LiveKit itself has not confirmed: recorded by the agent or the sweep, or by room_finished. */
const isProvisionalEnd = (t: SessionTimeline) =>
  (t.endSource !== 'livekit' && t.endSource !== 'admin') || t.endReason === 'room_finished';

/** An admin terminated the session: nothing LiveKit reports afterwards reopens or moves its end. */
const isFinalEnd = (t: SessionTimeline) => t.sessionEnd !== null && t.endSource === 'admin';

function withDuration(t: SessionTimeline): SessionTimeline {
  return t.sessionEnd !== null && t.sessionStart !== null
    ? { ...t, durationSeconds: durationSeconds(t.sessionStart, t.sessionEnd) }
    : { ...t, durationSeconds: null };
}

function seenJoin(t: SessionTimeline, joinedAtMs: number): SessionTimeline {
  return {
    ...t,
    sessionStart: Math.min(t.sessionStart ?? joinedAtMs, joinedAtMs),
    lastJoinAt: Math.max(t.lastJoinAt ?? joinedAtMs, joinedAtMs),
  };
}

/**
 * Folds one LiveKit event into a session's timeline. The result does not depend on the order the
 * events arrive in, nor on repeats: the session starts at its earliest join, and it has ended
 * when a leave of its latest connection is known, at the latest such leave. A leave of an earlier
 * connection (a quick reconnect) does not end it. Ends recorded by the agent or the sweep are
 * replaced by LiveKit's own.
 */
export function applyTimelineEvent(
  current: SessionTimeline,
  event: TimelineEvent,
): SessionTimeline {
  switch (event.type) {
    case 'joined': {
      const t = seenJoin(current, event.joinedAtMs);
      if (isFinalEnd(t)) return withDuration(t);
      const newerConnection = current.lastJoinAt !== null && event.joinedAtMs > current.lastJoinAt;
      // LiveKit's own end belongs to a connection it reported; a connection that joined later is
      // still there (a reconnect, possibly overlapping the old one). An end the agent or the sweep
      // recorded only stands if it is not before this join.
      const reopen =
        t.sessionEnd !== null &&
        (isProvisionalEnd(t) ? t.sessionEnd < t.lastJoinAt! : newerConnection);
      if (t.sessionEnd === null || reopen) {
        return {
          ...t,
          sessionEnd: null,
          durationSeconds: null,
          endReason: null,
          endSource: null,
          status: 'active',
        };
      }
      return withDuration({ ...t, status: 'ended' });
    }
    case 'left': {
      const t = seenJoin(current, event.joinedAtMs);
      if (isFinalEnd(t)) return withDuration(t);
      if (event.joinedAtMs < t.lastJoinAt!) {
        // The leave of a connection that was replaced by a later one.
        return t.sessionEnd === null ? { ...t, status: 'active' } : withDuration(t);
      }
      // LiveKit stamps events in whole seconds: a leave within the join's second is at the join.
      const leftAtMs = Math.max(event.leftAtMs, event.joinedAtMs);
      const end =
        t.sessionEnd === null || isProvisionalEnd(t) ? leftAtMs : Math.max(t.sessionEnd, leftAtMs);
      return withDuration({
        ...t,
        sessionEnd: end,
        status: 'ended',
        endReason: event.reason,
        endSource: 'livekit',
      });
    }
    case 'room_finished': {
      // Only a session of this room's instance: one that joined before the room finished (room
      // names are reused, so a late event of an earlier instance must not end a newer session).
      if (
        current.lastJoinAt === null ||
        current.sessionEnd !== null ||
        current.lastJoinAt > event.finishedAtMs
      )
        return current;
      return withDuration({
        ...current,
        sessionEnd: event.finishedAtMs,
        status: 'ended',
        endReason: 'room_finished',
        endSource: 'livekit',
      });
    }
  }
}
