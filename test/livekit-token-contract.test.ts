// The auth service and the agent never import each other; what they share is the database and
// the claims in the LiveKit token. This pins that contract from both sides.
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTRIBUTE_SESSION_ID as AGENT_SESSION_ATTRIBUTE,
  ATTRIBUTE_USER_ID as AGENT_USER_ATTRIBUTE,
  readParticipantClaims,
} from '@attune/agent';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '@attune/auth-service';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '@attune/auth-service/testing';
import { findUserSession } from '@attune/db';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('LiveKit token contract (auth service → agent)', () => {
  it('uses the same attribute names on both sides', () => {
    expect(AGENT_USER_ATTRIBUTE).toBe(ATTRIBUTE_USER_ID);
    expect(AGENT_SESSION_ATTRIBUTE).toBe(ATTRIBUTE_SESSION_ID);
  });

  it('lets the agent resolve the user and the recorded session from a minted token', async () => {
    const user = await registerUser(server);
    const minted = (await (await jsonPost(server, '/auth/token', {}, user.accessToken)).json()) as {
      livekit_token: string;
      session_id: string;
    };
    const claims = await new TokenVerifier(
      server.config.livekit.apiKey,
      server.config.livekit.apiSecret,
    ).verify(minted.livekit_token);

    // LiveKit hands the agent the participant's identity (the token's sub) and attributes as-is.
    const resolved = readParticipantClaims({
      identity: claims.sub!,
      attributes: claims.attributes ?? {},
    });
    expect(resolved).toEqual({ ok: true, userId: user.id, sessionId: minted.session_id });
    expect(findUserSession(server.database.db, user.id, minted.session_id)?.status).toBe('issued');
  });

  it("gives the agent nothing to resolve for another user's session", async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const minted = (await (
      await jsonPost(server, '/auth/token', {}, alice.accessToken)
    ).json()) as { session_id: string };
    expect(findUserSession(server.database.db, bob.id, minted.session_id)).toBeUndefined();
  });
});
