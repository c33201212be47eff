import { ParticipantInfo_Kind } from '@livekit/protocol';
import type { WebhookEvent } from 'livekit-server-sdk';
import { ATTRIBUTE_SESSION_ID } from '@attune/contract';
import {
  type Db,
  type UserSession,
  findParticipantSession,
  insertWebhookEvent,
  openSessionsInRoom,
  updateSessionTimeline,
} from '@attune/db';
import { type TimelineEvent, applyTimelineEvent } from './session-timeline.ts';

export type IngestOutcome = 'applied' | 'duplicate' | 'ignored';

const PARTICIPANT_EVENTS = new Set([
  'participant_joined',
  'participant_left',
  'participant_connection_aborted',
]);

const secondsToMs = (seconds: bigint) => Number(seconds) * 1000;

function apply(db: Db, session: UserSession, event: TimelineEvent): void {
  updateSessionTimeline(db, session.id, applyTimelineEvent(session, event));
}

/**
 * Applies one verified LiveKit webhook event to the sessions it concerns, and remembers its id so
 * a redelivery changes nothing. Run it in one transaction: if it fails, the id is not kept either
 * and LiveKit's retry is applied in full. Agents, and rooms or identities this service never
 * issued a token for, are acknowledged and ignored.
 */
export function ingestWebhookEvent(db: Db, event: WebhookEvent, nowMs: number): IngestOutcome {
  if (!insertWebhookEvent(db, { id: event.id, event: event.event }, nowMs)) return 'duplicate';
  const roomName = event.room?.name;
  if (!roomName) return 'ignored';
  const eventAtMs = event.createdAt > 0n ? secondsToMs(event.createdAt) : nowMs;

  if (event.event === 'room_finished') {
    const open = openSessionsInRoom(db, roomName);
    for (const session of open)
      apply(db, session, { type: 'room_finished', finishedAtMs: eventAtMs });
    return open.length > 0 ? 'applied' : 'ignored';
  }
  if (!PARTICIPANT_EVENTS.has(event.event)) return 'ignored';

  const participant = event.participant;
  if (!participant || participant.kind === ParticipantInfo_Kind.AGENT) return 'ignored';
  const session = findParticipantSession(db, {
    roomName,
    identity: participant.identity,
    sessionId: participant.attributes[ATTRIBUTE_SESSION_ID],
  });
  if (!session) return 'ignored';

  const joinedAtMs =
    participant.joinedAtMs > 0n
      ? Number(participant.joinedAtMs)
      : secondsToMs(participant.joinedAt);
  apply(
    db,
    session,
    event.event === 'participant_joined'
      ? { type: 'joined', joinedAtMs: joinedAtMs || eventAtMs }
      : {
          type: 'left',
          joinedAtMs: joinedAtMs || eventAtMs,
          leftAtMs: eventAtMs,
          reason: event.event,
        },
  );
  return 'applied';
}
