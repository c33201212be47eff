// LiveKit webhook events for one Attune session, as livekit-server would send them over a long
// call with many reconnects: each connection's join and leave, redeliveries of some of them
// (delivery is at least once), and the room finishing after the last leave. Deterministic, so two
// runs get the same times; with what the session's row must say once they are all in.
import type { WebhookEventInput } from '@attune/auth-service/testing';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '@attune/contract';

export interface IssuedSession {
  userId: string;
  sessionId: string;
  roomName: string;
}

export interface SessionEvents {
  /** Each distinct event once, in the order LiveKit emitted them. */
  events: (WebhookEventInput & { id: string })[];
  /** Indexes into `events` of the ones delivered a second time (right after the first, in order). */
  redelivered: number[];
  /** The session row once every event is in, whatever their order. */
  expected: {
    status: 'ended';
    sessionStart: number;
    sessionEnd: number;
    durationSeconds: number;
    endReason: 'participant_left';
  };
}

export const CONNECTIONS_PER_SESSION = 20;
export const REDELIVERIES_PER_SESSION = 9;
/** Joins and leaves of every connection, the room's end, and the redeliveries. */
export const EVENTS_PER_SESSION = CONNECTIONS_PER_SESSION * 2 + 1 + REDELIVERIES_PER_SESSION;

/** The `index`-th session's events: connections 40 s apart, each 30 s long, joins at odd ms. */
export function sessionEvents(session: IssuedSession, index: number): SessionEvents {
  const startS = 1_790_000_000 + index * 2_000;
  const participant = (joinedAtMs: number) => ({
    identity: session.userId,
    attributes: {
      [ATTRIBUTE_USER_ID]: session.userId,
      [ATTRIBUTE_SESSION_ID]: session.sessionId,
    },
    joinedAtMs,
  });
  const events: SessionEvents['events'] = [];
  const joins: number[] = [];
  let lastLeftS = 0;
  for (let c = 0; c < CONNECTIONS_PER_SESSION; c += 1) {
    const joinS = startS + c * 40;
    const joinedAtMs = joinS * 1000 + ((index * 7 + c * 13) % 1000);
    joins.push(joinedAtMs);
    lastLeftS = joinS + 30;
    const id = (what: string) => `EV_${index}_${c}_${what}`;
    events.push(
      {
        id: id('joined'),
        event: 'participant_joined',
        room: session.roomName,
        createdAtSeconds: joinS,
        participant: participant(joinedAtMs),
      },
      {
        id: id('left'),
        event: 'participant_left',
        room: session.roomName,
        createdAtSeconds: lastLeftS,
        participant: participant(joinedAtMs),
      },
    );
  }
  events.push({
    id: `EV_${index}_room_finished`,
    event: 'room_finished',
    room: session.roomName,
    createdAtSeconds: lastLeftS + 5,
  });
  const redelivered = Array.from(
    { length: REDELIVERIES_PER_SESSION },
    (_, r) => (index + r * 4) % events.length,
  );
  const sessionStart = joins[0]!;
  const sessionEnd = lastLeftS * 1000;
  return {
    events,
    redelivered,
    expected: {
      status: 'ended',
      sessionStart,
      sessionEnd,
      durationSeconds: Math.round((sessionEnd - sessionStart) / 1000),
      endReason: 'participant_left',
    },
  };
}

/** A seeded shuffle (mulberry32), so a failing order can be run again. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}
