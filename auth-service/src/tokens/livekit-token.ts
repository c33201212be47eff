import { decodeJwt } from 'jose';
import { AccessToken, RoomAgentDispatch, RoomConfiguration, TrackSource } from 'livekit-server-sdk';
// The attribute names the agent reads back: one definition, shared through the contract package.
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '@attune/contract';

export interface LiveKitTokenSettings {
  apiKey: string;
  apiSecret: string;
  agentName: string;
  tokenTtlMs: number;
}

export interface LiveKitGrantRequest {
  userId: string;
  displayName: string;
  roomName: string;
  sessionId: string;
}

/**
 * Mints a token for exactly one room: identity is the user id (server-set), the microphone is
 * the only source it may publish, it carries no admin grant, and it dispatches the agent.
 */
export async function mintLiveKitToken(
  settings: LiveKitTokenSettings,
  request: LiveKitGrantRequest,
): Promise<{ token: string; expiresAtMs: number }> {
  const ttlSeconds = Math.floor(settings.tokenTtlMs / 1000);
  const metadata = JSON.stringify({
    user_id: request.userId,
    session_id: request.sessionId,
    display_name: request.displayName,
  });
  const at = new AccessToken(settings.apiKey, settings.apiSecret, {
    identity: request.userId,
    name: request.displayName,
    ttl: ttlSeconds,
    metadata,
    attributes: { [ATTRIBUTE_USER_ID]: request.userId, [ATTRIBUTE_SESSION_ID]: request.sessionId },
  });
  at.addGrant({
    roomJoin: true,
    room: request.roomName,
    canPublish: true,
    canPublishSources: [TrackSource.MICROPHONE],
    canSubscribe: true,
    canPublishData: true,
  });
  at.roomConfig = new RoomConfiguration({
    agents: [new RoomAgentDispatch({ agentName: settings.agentName, metadata })],
  });
  const token = await at.toJwt();
  // AccessToken stamps `exp` from its own clock: report exactly what the token says.
  const { exp } = decodeJwt(token);
  return { token, expiresAtMs: (exp as number) * 1000 };
}
