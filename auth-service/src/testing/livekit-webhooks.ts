import { createHash, randomUUID } from 'node:crypto';
import { ParticipantInfo, ParticipantInfo_Kind, Room, WebhookEvent } from '@livekit/protocol';
import { AccessToken } from 'livekit-server-sdk';

export interface WebhookParticipant {
  identity: string;
  attributes?: Record<string, string>;
  /** When this connection joined, in ms (LiveKit sends joinedAt in seconds and joinedAtMs). */
  joinedAtMs: number;
  agent?: boolean;
}

export interface WebhookEventInput {
  event:
    | 'participant_joined'
    | 'participant_left'
    | 'participant_connection_aborted'
    | 'room_finished'
    | 'room_started';
  room: string;
  /** Event time in seconds, as LiveKit stamps `createdAt`. */
  createdAtSeconds: number;
  participant?: WebhookParticipant;
  id?: string;
}

/** A webhook event shaped the way livekit-server sends it. */
export function webhookEvent(input: WebhookEventInput): WebhookEvent {
  const p = input.participant;
  return new WebhookEvent({
    id: input.id ?? `EV_${randomUUID()}`,
    event: input.event,
    createdAt: BigInt(input.createdAtSeconds),
    room: new Room({ sid: `RM_${input.room}`, name: input.room }),
    ...(p
      ? {
          participant: new ParticipantInfo({
            sid: `PA_${p.identity}`,
            identity: p.identity,
            attributes: p.attributes ?? {},
            joinedAt: BigInt(Math.floor(p.joinedAtMs / 1000)),
            joinedAtMs: BigInt(p.joinedAtMs),
            kind: p.agent ? ParticipantInfo_Kind.AGENT : ParticipantInfo_Kind.STANDARD,
          }),
        }
      : {}),
  });
}

/**
 * The body and headers livekit-server would POST for `event`: protobuf-JSON, and in
 * `Authorization` (no `Bearer` prefix) a LiveKit JWT signed with the API secret whose `sha256`
 * claim is the base64 SHA-256 of the body.
 */
export async function signWebhook(
  event: WebhookEvent,
  apiKey: string,
  apiSecret: string,
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = event.toJsonString();
  const token = new AccessToken(apiKey, apiSecret, { ttl: '5m' });
  token.sha256 = createHash('sha256').update(body).digest('base64');
  return {
    body,
    headers: { authorization: await token.toJwt(), 'content-type': 'application/webhook+json' },
  };
}
