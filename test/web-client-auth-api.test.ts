import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '@attune/auth-service/testing';
import { AuthApiError, createAuthApi } from '@attune/web-client/api';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe("the web client's auth API against the real service", () => {
  it('registers, signs in, reads the user and mints a room token', async () => {
    const api = createAuthApi(server.baseUrl);
    const registered = await api.register({
      email: 'web@example.org',
      password: 'browser password',
      full_name: 'Web User',
    });
    expect(registered.user.email).toBe('web@example.org');
    const signedIn = await api.login({ email: 'web@example.org', password: 'browser password' });
    expect((await api.me(signedIn.access_token)).id).toBe(registered.user.id);
    const room = await api.mintRoomToken(signedIn.access_token, { room_name: 'web-room' });
    expect(room.room_name).toBe('web-room');
    expect(room.livekit_url).toBe('ws://localhost:7880');
  });

  it("surfaces the service's error code and message", async () => {
    const api = createAuthApi(server.baseUrl);
    const failure = await api
      .login({ email: 'nobody@example.org', password: 'whatever1' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthApiError);
    expect(failure).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
      message: 'Email or password is incorrect',
    });
  });
});
