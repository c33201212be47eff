import { type KeyObject, createHmac, createSecretKey } from 'node:crypto';
import {
  type ClaimGrants,
  RoomAgentDispatch,
  RoomConfiguration,
  TrackSource,
  claimsToJwtPayload,
} from 'livekit-server-sdk';
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

/** The JOSE header livekit-server-sdk's `AccessToken.toJwt` writes, encoded once. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');

/**
 * The API secret as a Node key, made once per settings object (the config is read once and
 * passed down). `AccessToken.toJwt` encodes the secret and builds a key from it on every call.
 */
const keys = new WeakMap<LiveKitTokenSettings, KeyObject>();
function keyOf(settings: LiveKitTokenSettings): KeyObject {
  let key = keys.get(settings);
  if (!key) {
    key = createSecretKey(Buffer.from(settings.apiSecret, 'utf8'));
    keys.set(settings, key);
  }
  return key;
}

/**
 * The grants of a token for exactly one room: identity is the user id (server-set), the
 * microphone is the only source it may publish, it carries no admin grant, and it dispatches the
 * agent. Built in the order `AccessToken` builds them (constructor options, then `addGrant`, then
 * `roomConfig`), so the claims serialise to the same bytes (livekit-token.test.ts compares them).
 */
export function liveKitGrantsOf(settings: LiveKitTokenSettings, request: LiveKitGrantRequest) {
  const metadata = JSON.stringify({
    user_id: request.userId,
    session_id: request.sessionId,
    display_name: request.displayName,
  });
  const grants: ClaimGrants = {
    metadata,
    attributes: { [ATTRIBUTE_USER_ID]: request.userId, [ATTRIBUTE_SESSION_ID]: request.sessionId },
    // AccessToken leaves out an empty name.
    ...(request.displayName ? { name: request.displayName } : {}),
    video: {
      roomJoin: true,
      room: request.roomName,
      canPublish: true,
      canPublishSources: [TrackSource.MICROPHONE],
      canSubscribe: true,
      canPublishData: true,
    },
    roomConfig: new RoomConfiguration({
      agents: [new RoomAgentDispatch({ agentName: settings.agentName, metadata })],
    }),
  };
  return grants;
}

/**
 * Mints the LiveKit token for one room (see `liveKitGrantsOf`). The claims are the SDK's own
 * (`claimsToJwtPayload` of the grants), then `iss`, `exp`, `nbf` and `sub` as `AccessToken.toJwt`
 * adds them, signed HS256 with a key made once: `toJwt` builds a key, and jose its whole JWS
 * pipeline, for every token, about half of the route's token step.
 */
export function mintLiveKitToken(
  settings: LiveKitTokenSettings,
  request: LiveKitGrantRequest,
): { token: string; expiresAtMs: number } {
  // AccessToken's clock: LiveKit checks exp and nbf against real time, whatever clock a test injects.
  const nowSeconds = Math.floor(Date.now() / 1000);
  const exp = nowSeconds + Math.floor(settings.tokenTtlMs / 1000);
  const claims = {
    ...claimsToJwtPayload(liveKitGrantsOf(settings, request)),
    iss: settings.apiKey,
    exp,
    nbf: nowSeconds,
    sub: request.userId,
  };
  const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const signature = createHmac('sha256', keyOf(settings)).update(signingInput).digest('base64url');
  return { token: `${signingInput}.${signature}`, expiresAtMs: exp * 1000 };
}
