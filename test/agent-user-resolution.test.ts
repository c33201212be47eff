// The agent resolves who it is talking to from what LiveKit hands it: the participant identity
// and attributes, exactly as the auth service signed them into the token.
import { AccessToken, TokenVerifier } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSessionUser } from '@attune/agent';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '@attune/auth-service/testing';
import { markSessionJoined, setUserStatus, terminateSession } from '@attune/db';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

interface Joined {
  identity: string;
  attributes: Record<string, string>;
  room: string;
}

/** What LiveKit tells the agent about a participant who joined with `token`. */
async function participantFrom(token: string): Promise<Joined> {
  const claims = await new TokenVerifier(
    server.config.livekit.apiKey,
    server.config.livekit.apiSecret,
  ).verify(token);
  return { identity: claims.sub!, attributes: claims.attributes ?? {}, room: claims.video!.room! };
}

async function mintFor(accessToken: string): Promise<Joined & { sessionId: string }> {
  const response = await jsonPost(server, '/auth/token', {}, accessToken);
  const minted = (await response.json()) as { livekit_token: string; session_id: string };
  return { ...(await participantFrom(minted.livekit_token)), sessionId: minted.session_id };
}

const resolve = (p: Joined, room = p.room, limits?: { member: number; guest: number }) =>
  resolveSessionUser(server.database.db, p, room, limits);

describe('agent user resolution from tokens minted by the auth service', () => {
  it('resolves a known user to their name and the session recorded for this token', async () => {
    const user = await registerUser(server, { full_name: 'Ada Lovelace' });
    const joined = await mintFor(user.accessToken);
    const resolved = resolve(joined);
    expect(resolved.ok).toBe(true);
    if (!resolved.ok) return;
    expect(resolved.user).toMatchObject({
      userId: user.id,
      displayName: 'Ada Lovelace',
      memory: true,
    });
    expect(resolved.user.session).toMatchObject({
      id: joined.sessionId,
      roomName: joined.room,
      status: 'issued',
    });
  });

  it('refuses an identity the service never registered', async () => {
    const at = new AccessToken(server.config.livekit.apiKey, server.config.livekit.apiSecret, {
      identity: 'not-a-user',
      attributes: { 'attune.user_id': 'not-a-user', 'attune.session_id': 'not-a-session' },
    });
    at.addGrant({ roomJoin: true, room: 'some-room' });
    expect(resolve(await participantFrom(await at.toJwt()))).toEqual({
      ok: false,
      reason: 'unknown_user',
    });
  });

  it('refuses a session an admin terminated, though its token is still valid', async () => {
    const user = await registerUser(server);
    const joined = await mintFor(user.accessToken);
    terminateSession(server.database.db, joined.sessionId, Date.now());
    expect(resolve(joined)).toEqual({ ok: false, reason: 'session_ended' });
  });

  it('refuses to join past the user’s limit of conversations in progress, however many tokens they minted', async () => {
    const user = await registerUser(server);
    const first = await mintFor(user.accessToken);
    const second = await mintFor(user.accessToken);
    const limits = { member: 1, guest: 1 };
    expect(resolve(first, first.room, limits).ok).toBe(true);
    markSessionJoined(server.database.db, {
      userId: user.id,
      sessionId: first.sessionId,
      joinedAtMs: Date.now(),
    });
    expect(resolve(first, first.room, limits).ok).toBe(true); // the session itself does not count
    expect(resolve(second, second.room, limits)).toEqual({ ok: false, reason: 'session_limit' });
  });

  it('refuses a suspended user', async () => {
    const user = await registerUser(server);
    const joined = await mintFor(user.accessToken);
    setUserStatus(server.database.db, user.id, 'suspended');
    expect(resolve(joined)).toEqual({ ok: false, reason: 'suspended' });
  });

  it('refuses attributes that disagree with the identity, or name another user’s session or room', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const aliceJoined = await mintFor(alice.accessToken);
    const bobJoined = await mintFor(bob.accessToken);

    const claimsBob = {
      ...aliceJoined,
      attributes: { ...aliceJoined.attributes, 'attune.user_id': bob.id },
    };
    expect(resolve(claimsBob)).toEqual({ ok: false, reason: 'identity_mismatch' });

    const bobsSession = {
      ...aliceJoined,
      attributes: { ...aliceJoined.attributes, 'attune.session_id': bobJoined.sessionId },
    };
    expect(resolve(bobsSession)).toEqual({ ok: false, reason: 'unknown_session' });

    expect(resolve(aliceJoined, bobJoined.room)).toEqual({ ok: false, reason: 'room_mismatch' });
    expect(resolve({ ...aliceJoined, attributes: {} })).toEqual({
      ok: false,
      reason: 'missing_attributes',
    });
  });
});
