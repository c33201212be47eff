import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isListening, waitForLiveKit } from './livekit-reachable.ts';

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('waiting for the LiveKit server', () => {
  it('says once what it waits for and how to start it, then goes on when the server answers', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    expect(await isListening(url)).toBe(false);
    const said: string[] = [];
    const waiting = waitForLiveKit(url, (line) => said.push(line), { pollMs: 20 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain(`Waiting for the LiveKit server at ${url}`);
    expect(said[0]).toContain('livekit-server --dev');

    const server = createServer((socket) => socket.destroy()).listen(port, '127.0.0.1');
    await once(server, 'listening');
    try {
      await waiting;
      expect(said).toHaveLength(2);
      expect(said[1]).toContain('registering');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says nothing when the server already answers', async () => {
    const server = createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const said: string[] = [];
    try {
      await waitForLiveKit(`ws://127.0.0.1:${port}`, (line) => said.push(line));
      expect(said).toEqual([]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
