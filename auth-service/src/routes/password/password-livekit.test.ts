// A new password (reset link or POST /me/password) removes the user's participants from their live
// rooms, against a stand-in for LiveKit's Twirp API on loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type FakeLiveKit,
  REMOVE_PARTICIPANT_PATH,
  type RegisteredUser,
  type SmtpSink,
  type TestServer,
  jsonPost,
  linkIn,
  nextMailAbout,
  registerUser,
  startFakeLiveKit,
  startSmtpSink,
  startTestServer,
} from '../../testing/index.ts';

const RESET_SUBJECT = /^Reset your Attune password$/;
const LIVEKIT = {
  LIVEKIT_API_KEY: 'APIpasswordTests',
  LIVEKIT_API_SECRET: 'a-password-test-secret-long-enough',
};

let livekit: FakeLiveKit;
let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  livekit = await startFakeLiveKit();
  sink = await startSmtpSink();
  server = await startTestServer({ ...LIVEKIT, LIVEKIT_URL: livekit.url, SMTP_URL: sink.url });
});
afterAll(async () => {
  await server.close();
  await sink.close();
  await livekit.close();
});
beforeEach(() => {
  livekit.requests.length = 0;
});

/** A room token for `user`: LiveKit may have them connected until it expires. */
async function roomOf(target: TestServer, user: RegisteredUser): Promise<string> {
  const minted = await jsonPost(target, '/auth/token', {}, user.accessToken);
  expect(minted.status).toBe(201);
  return ((await minted.json()) as { room_name: string }).room_name;
}

async function resetThroughMail(target: TestServer, mails: SmtpSink, email: string) {
  expect((await jsonPost(target, '/auth/password/forgot', { email })).status).toBe(202);
  const { token } = linkIn(await nextMailAbout(mails, email, RESET_SUBJECT), 'reset-password');
  return jsonPost(target, '/auth/password/reset', { token, new_password: 'the owner’s new one' });
}

const removals = () =>
  livekit.requests.filter((r) => r.path === REMOVE_PARTICIPANT_PATH).map((r) => r.body);

describe('a new password disconnects the user from LiveKit', () => {
  it('a reset removes the user from every live room', async () => {
    const user = await registerUser(server);
    const rooms = [await roomOf(server, user), await roomOf(server, user)];
    const bystander = await registerUser(server);
    await roomOf(server, bystander);
    expect((await resetThroughMail(server, sink, user.email)).status).toBe(204);
    // Sign-up minted a room too: every removal is the user's, and covers each room minted here.
    const removedRooms = removals().map((r) => r.room);
    for (const room of rooms) expect(removedRooms).toContain(room);
    for (const removal of removals()) expect(removal.identity).toBe(user.id);
  });

  it('POST /me/password removes the user from their rooms and keeps this device signed in', async () => {
    const user = await registerUser(server);
    const room = await roomOf(server, user);
    const changed = await jsonPost(
      server,
      '/me/password',
      { current_password: user.password, new_password: 'changed while signed in' },
      user.accessToken,
    );
    expect(changed.status).toBe(204);
    expect(removals().map((r) => r.room)).toContain(room);
    for (const removal of removals()) expect(removal.identity).toBe(user.id);
    expect(
      (await jsonPost(server, '/auth/refresh', { refresh_token: user.refreshToken })).status,
    ).toBe(200);
  });

  it('a LiveKit that cannot be reached is logged and the new password still stands', async () => {
    const mails = await startSmtpSink();
    const unreachable = await startTestServer({
      ...LIVEKIT,
      LIVEKIT_URL: 'ws://127.0.0.1:9',
      SMTP_URL: mails.url,
    });
    try {
      const user = await registerUser(unreachable);
      await roomOf(unreachable, user);
      expect((await resetThroughMail(unreachable, mails, user.email)).status).toBe(204);
      const signedIn = await jsonPost(unreachable, '/auth/login', {
        email: user.email,
        password: 'the owner’s new one',
      });
      expect(signedIn.status).toBe(200);
      expect(unreachable.logs.join('\n')).toContain(
        'could not remove a user from their LiveKit rooms after a password reset',
      );
    } finally {
      await unreachable.close();
      await mails.close();
    }
  });
});
