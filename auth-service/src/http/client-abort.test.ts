import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startTestServer } from '../testing/test-server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

// A chunked body streams through the body limit; one with a declared length is read directly.
const uploads = {
  chunked: 'Transfer-Encoding: chunked\r\n\r\n10\r\n{"email":"a@b.o',
  length: 'Content-Length: 60\r\n\r\n{"email":"a@b.o',
};

describe('a client that hangs up mid-upload', () => {
  for (const [framing, rest] of Object.entries(uploads)) {
    it(`is logged as a client abort, not as a server error (${framing})`, async () => {
      const logged = server.logs.length;
      const { port } = new URL(server.baseUrl);
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        `POST /auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${rest}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const lines = server.logs
        .slice(logged)
        .map((line) => JSON.parse(line) as { level: number; msg: string });
      expect(lines.some((line) => line.msg === 'client aborted the request')).toBe(true);
      expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    });
  }
});
