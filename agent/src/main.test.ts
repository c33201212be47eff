// `pnpm agent` against a stand-in for the LiveKit server's agent endpoint on loopback (no
// livekit-server can be installed here): the worker must authenticate with the configured API
// key and register for explicit dispatch under AGENT_NAME.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JobType, WorkerMessage } from '@livekit/protocol';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let worker: ChildProcess | undefined;
let endpoint: WebSocketServer | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'attune-agent-main-'));

afterEach(async () => {
  // The worker keeps job processes warm; end the whole process group, not just the worker.
  if (worker?.pid !== undefined && worker.exitCode === null) process.kill(-worker.pid, 'SIGKILL');
  worker = undefined;
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  endpoint = undefined;
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** A port nothing listens on right now, for the worker's health server. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function startWorker(env: Record<string, string>): { child: ChildProcess; stderr: () => string } {
  let stderr = '';
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start'], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  worker = child;
  return { child, stderr: () => stderr };
}

describe('pnpm agent (the worker)', () => {
  it('registers with the LiveKit server under AGENT_NAME for explicit dispatch', async () => {
    endpoint = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(endpoint, 'listening');
    const port = (endpoint.address() as AddressInfo).port;
    const connection = once(endpoint, 'connection');

    startWorker({
      LIVEKIT_URL: `ws://127.0.0.1:${port}`,
      LIVEKIT_API_KEY: 'devkey',
      LIVEKIT_API_SECRET: 'secret',
      AGENT_NAME: 'attune-test-agent',
      AGENT_HEALTH_PORT: String(await freePort()),
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      SPEECH: 'local',
      DATABASE_PATH: join(dataDir, 'attune.db'),
      LOG_LEVEL: 'warn',
    });

    const [socket, request] = (await connection) as [
      import('ws').WebSocket,
      import('node:http').IncomingMessage,
    ];
    expect(request.url).toBe('/agent');
    const bearer = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
    const grant = await new TokenVerifier('devkey', 'secret').verify(bearer);
    expect(grant.video?.agent).toBe(true);

    const [data] = (await once(socket, 'message')) as [Buffer];
    const message = WorkerMessage.fromBinary(new Uint8Array(data));
    expect(message.message.case).toBe('register');
    if (message.message.case !== 'register') return;
    expect(message.message.value.agentName).toBe('attune-test-agent');
    expect(message.message.value.type).toBe(JobType.JT_ROOM);
  });

  it('refuses to start on an invalid configuration, saying what to set, with no stack trace', async () => {
    const { child, stderr } = startWorker({
      NODE_ENV: 'production',
      SPEECH: 'local',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr()).toContain('Refusing to start the agent with NODE_ENV=production');
    expect(stderr()).toContain('set the key pair of your LiveKit server');
    expect(stderr()).not.toMatch(/\n\s+at /);
  });
});
