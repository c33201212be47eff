import {
  AccessToken,
  RoomAgentDispatch,
  RoomConfiguration,
  TokenVerifier,
  TrackSource,
} from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '@attune/contract';
import {
  type LiveKitGrantRequest,
  type LiveKitTokenSettings,
  mintLiveKitToken,
} from './livekit-token.ts';

const settings: LiveKitTokenSettings = {
  apiKey: 'APIattune',
  apiSecret: 'a-livekit-secret-of-at-least-32-characters',
  agentName: 'attune-assistant',
  tokenTtlMs: 600_000,
};

/** The token as livekit-server-sdk's own AccessToken mints it (how Attune minted it before). */
async function sdkToken(request: LiveKitGrantRequest): Promise<string> {
  const metadata = JSON.stringify({
    user_id: request.userId,
    session_id: request.sessionId,
    display_name: request.displayName,
  });
  const at = new AccessToken(settings.apiKey, settings.apiSecret, {
    identity: request.userId,
    name: request.displayName,
    ttl: Math.floor(settings.tokenTtlMs / 1000),
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
  return at.toJwt();
}

/** Header and claims as the JSON text that was signed, with the time claims set aside. */
function signedText(token: string) {
  const [header, payload] = token
    .split('.')
    .map((part) => Buffer.from(part, 'base64url').toString());
  const times: Record<string, number> = {};
  const claims = payload!.replace(
    /"(iat|exp|nbf|jti)":(\d+)/g,
    (_, name: string, value: string) => {
      times[name] = Number(value);
      return `"${name}":0`;
    },
  );
  return { header, claims, times };
}

const requests: Record<string, LiveKitGrantRequest> = {
  'a plain request': {
    userId: '7f1c2d9e-0b5a-4c3e-9f8d-1a2b3c4d5e6f',
    displayName: 'Ann Example',
    roomName: 'room-3f9a1c',
    sessionId: 'c0ffee00-1234-4abc-8def-0123456789ab',
  },
  'a name with quotes, accents and emoji': {
    userId: 'u-2',
    displayName: 'Zoë "Z" O\'Neil 🎧',
    roomName: 'kitchen_radio-2',
    sessionId: 's-2',
  },
  'an empty name (AccessToken leaves it out)': {
    userId: 'u-3',
    displayName: '',
    roomName: 'r',
    sessionId: 's-3',
  },
};

describe('mintLiveKitToken', () => {
  for (const [name, request] of Object.entries(requests)) {
    it(`signs the same header and claims as AccessToken.toJwt, byte for byte: ${name}`, async () => {
      const ours = signedText(mintLiveKitToken(settings, request).token);
      const sdk = signedText(await sdkToken(request));
      expect(ours.header).toBe(sdk.header);
      expect(ours.claims).toBe(sdk.claims);
      expect(Object.keys(ours.times).sort()).toEqual(Object.keys(sdk.times).sort());
      expect(ours.times.exp! - ours.times.nbf!).toBe(settings.tokenTtlMs / 1000);
    });
  }

  it("verifies with the SDK's TokenVerifier, and only with the right secret", async () => {
    const request = requests['a plain request']!;
    const { token, expiresAtMs } = mintLiveKitToken(settings, request);
    const claims = await new TokenVerifier(settings.apiKey, settings.apiSecret).verify(token);
    expect(claims.sub).toBe(request.userId);
    expect(claims.iss).toBe(settings.apiKey);
    expect(claims.exp! * 1000).toBe(expiresAtMs);
    expect(claims.video).toEqual({
      roomJoin: true,
      room: request.roomName,
      canPublish: true,
      canPublishSources: ['microphone'],
      canSubscribe: true,
      canPublishData: true,
    });
    await expect(
      new TokenVerifier(settings.apiKey, 'another-secret-of-at-least-32-characters').verify(token),
    ).rejects.toThrow();
  });

  it('keeps one key per settings object: a second configuration signs with its own secret', async () => {
    const other = { ...settings, apiSecret: 'a-second-secret-of-at-least-32-characters' };
    const request = requests['a plain request']!;
    mintLiveKitToken(settings, request);
    const { token } = mintLiveKitToken(other, request);
    await expect(
      new TokenVerifier(other.apiKey, other.apiSecret).verify(token),
    ).resolves.toMatchObject({ sub: request.userId });
  });
});
