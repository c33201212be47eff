import type { SessionTimeline } from '@attune/db';

/** What LiveKit reported about one participant connection, in milliseconds. */
export type TimelineEvent =
  | { type: 'joined'; joinedAtMs: number }
  /** `joinedAtMs` is when the connection that left had joined (LiveKit sends it with the leave). */
  | { type: 'left'; joinedAtMs: number; leftAtMs: number; reason: string }
  | { type: 'room_finished'; finishedAtMs: number };

const durationSeconds = (startMs: number, endMs: number) => Math.max(0, Math.round((endMs - startMs) / 1000));

/** An end LiveKit itself has not confirmed: recorded by the agent or the sweep, or by room_finished. */
const isProvisionalEnd = (t: SessionTimeline) => t.endSource !== 'livekit' || t.endReason === 'room_finished';

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
export function applyTimelineEvent(current: SessionTimeline, event: TimelineEvent): SessionTimeline {
  switch (event.type) {
    case 'joined': {
      const t = seenJoin(current, event.joinedAtMs);
      if (t.sessionEnd !== null && t.sessionEnd < t.lastJoinAt!) {
        // Rejoined after the recorded end: the session goes on.
        return { ...t, sessionEnd: null, durationSeconds: null, endReason: null, endSource: null, status: 'active' };
      }
      return withDuration({ ...t, status: t.sessionEnd === null ? 'active' : 'ended' });
    }
    case 'left': {
      const t = seenJoin(current, event.joinedAtMs);
      if (event.joinedAtMs < t.lastJoinAt!) {
        // The leave of a connection that was replaced by a later one.
        return withDuration({ ...t, status: t.sessionEnd === null ? 'active' : t.status });
      }
      const end = t.sessionEnd === null || isProvisionalEnd(t) ? event.leftAtMs : Math.max(t.sessionEnd, event.leftAtMs);
      return withDuration({ ...t, sessionEnd: end, status: 'ended', endReason: event.reason, endSource: 'livekit' });
    }
    case 'room_finished': {
      if (current.lastJoinAt === null || current.sessionEnd !== null) return current;
      const end = Math.max(event.finishedAtMs, current.lastJoinAt);
      return withDuration({ ...current, sessionEnd: end, status: 'ended', endReason: 'room_finished', endSource: 'livekit' });
    }
  }
}
