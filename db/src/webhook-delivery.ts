import type { TimelineEvent } from './session-timeline-rules.ts';

/**
 * What one LiveKit webhook event asks of the sessions, already read out of LiveKit's protocol by
 * the service: the store applies it without knowing LiveKit's types.
 */
export type TimelineChange =
  | { kind: 'room_finished'; roomName: string; finishedAtMs: number }
  | {
      kind: 'participant';
      roomName: string;
      identity: string;
      /** The `attune.session_id` attribute the participant's token carried, if any. */
      sessionId: string | undefined;
      event: Extract<TimelineEvent, { type: 'joined' | 'left' }>;
    }
  /** An event about no Attune session (an agent, another event type): only its id is kept. */
  | { kind: 'none' };

export interface WebhookDelivery {
  /** LiveKit's event id: a redelivery carries the same one and changes nothing. */
  eventId: string;
  eventName: string;
  change: TimelineChange;
}

export type IngestOutcome = 'applied' | 'duplicate' | 'ignored';
