import { ParticipantInfo_Kind } from '@livekit/protocol';
import type { WebhookEvent } from 'livekit-server-sdk';
import { ATTRIBUTE_SESSION_ID } from '@attune/contract';
import type { TimelineChange, WebhookDelivery } from '@attune/db';

const PARTICIPANT_EVENTS = new Set([
  'participant_joined',
  'participant_left',
  'participant_connection_aborted',
]);

const secondsToMs = (seconds: bigint) => Number(seconds) * 1000;

/**
 * Reads what a verified LiveKit webhook event asks of Attune's sessions out of LiveKit's
 * protocol, for the store to apply (`store.sessionTimeline.ingestWebhook`). Agents, and events
 * that concern no participant or room, change nothing (their id is still kept). Times are
 * LiveKit's own: the event's creation (whole seconds) and the participant's join (milliseconds
 * when LiveKit sends them), with `nowMs` only when LiveKit gave none.
 */
export function describeWebhookEvent(event: WebhookEvent, nowMs: number): WebhookDelivery {
  return { eventId: event.id, eventName: event.event, change: changeOf(event, nowMs) };
}

function changeOf(event: WebhookEvent, nowMs: number): TimelineChange {
  const roomName = event.room?.name;
  if (!roomName) return { kind: 'none' };
  const eventAtMs = event.createdAt > 0n ? secondsToMs(event.createdAt) : nowMs;
  if (event.event === 'room_finished')
    return { kind: 'room_finished', roomName, finishedAtMs: eventAtMs };
  if (!PARTICIPANT_EVENTS.has(event.event)) return { kind: 'none' };

  const participant = event.participant;
  if (!participant || participant.kind === ParticipantInfo_Kind.AGENT) return { kind: 'none' };
  const joinedAtMs =
    (participant.joinedAtMs > 0n
      ? Number(participant.joinedAtMs)
      : secondsToMs(participant.joinedAt)) || eventAtMs;
  return {
    kind: 'participant',
    roomName,
    identity: participant.identity,
    sessionId: participant.attributes[ATTRIBUTE_SESSION_ID],
    event:
      event.event === 'participant_joined'
        ? { type: 'joined', joinedAtMs }
        : { type: 'left', joinedAtMs, leftAtMs: eventAtMs, reason: event.event },
  };
}
