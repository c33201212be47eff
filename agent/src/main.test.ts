// `pnpm agent` against a stand-in for the LiveKit server's agent endpoint on loopback (no
// livekit-server can be installed here): the worker must authenticate with the configured API
// key and register for explicit dispatch under AGENT_NAME.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { JobType, WorkerMessage } from '@livekit/protocol';
import { TokenVerifier } from 'livekit-server-sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

let workers: ChildProcess[] = [];
let endpoint: WebSocketServer | undefined;

afterEach(async () => {
  // The worker keeps job processes warm; end the whole process group, not just the worker.
  for (const worker of workers) {
    if (worker.pid !== undefined && worker.exitCode === null) process.kill(-worker.pid, 'SIGKILL');
  }
  workers = [];
  await new Promise((resolve) => (endpoint ? endpoint.close(resolve) : resolve(undefined)));
  endpoint = undefined;
});

/** A port nothing listens on right now, for the worker's health server. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const AGENT_SECRET = 'an-agent-secret-of-at-least-32-characters';

/** The command lines of every process in the process group `group` (the worker's). */
function commandLinesInGroup(group: number): string[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const processGroup = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
        if (processGroup !== group) return [];
        return [readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')];
      } catch {
        return []; // gone meanwhile
      }
    });
}

function startWorker(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(
    process.execPath,
    ['--conditions=@attune/source', '--import', 'tsx', MAIN, 'start'],
    {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  workers.push(child);
  return { child, output: () => output };
}

/** A development worker on local speech, pointed at the LiveKit URL given. */
const developmentWorker = (livekitUrl: string, extra: Record<string, string> = {}) => ({
  LIVEKIT_URL: livekitUrl,
  LIVEKIT_API_KEY: 'devkey',
  LIVEKIT_API_SECRET: 'secret',
  AGENT_NAME: 'attune-test-agent',
  AGENT_API_SECRET: AGENT_SECRET,
  LLM_BASE_URL: 'http://127.0.0.1:9/v1',
  SPEECH: 'local',
  LOG_LEVEL: 'warn',
  ...extra,
});

/** Resolves with the agent name of each worker that registers with `server`. */
function registrations(server: WebSocketServer, count: number): Promise<string[]> {
  return new Promise((resolve) => {
    const names: string[] = [];
    server.on('connection', (socket, request) => {
      expect(request.url).toBe('/agent');
      socket.once('message', (data: Buffer) => {
        const message = WorkerMessage.fromBinary(new Uint8Array(data));
        if (message.message.case === 'register') names.push(message.message.value.agentName);
        if (names.length === count) resolve(names);
      });
    });
  });
}

describe('pnpm agent (the worker)', () => {
  it('registers with the LiveKit server under AGENT_NAME for explicit dispatch', async () => {
    endpoint = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(endpoint, 'listening');
    const port = (endpoint.address() as AddressInfo).port;
    const connection = once(endpoint, 'connection');

    startWorker(
      developmentWorker(`ws://127.0.0.1:${port}`, { AGENT_HEALTH_PORT: String(await freePort()) }),
    );

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

    // The warm job process it keeps runs with the job processes' own flags.
    await vi.waitFor(
      () =>
        expect(
          commandLinesInGroup(workers[0]!.pid!).filter((line) =>
            line.includes('job_proc_lazy_main'),
          ),
        ).toEqual([expect.stringContaining('--max-semi-space-size=8')]),
      { timeout: 20_000 },
    );
  });

  it('runs two development workers on one host side by side (each picks a free health port)', async () => {
    endpoint = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await once(endpoint, 'listening');
    const url = `ws://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
    const registered = registrations(endpoint, 2);
    const first = startWorker(developmentWorker(url));
    const second = startWorker(developmentWorker(url));
    expect(await registered).toEqual(['attune-test-agent', 'attune-test-agent']);
    expect(first.child.exitCode).toBeNull();
    expect(second.child.exitCode).toBeNull();
    expect(first.output() + second.output()).not.toMatch(/EADDRINUSE/);
  });

  it('says once, plainly, which LiveKit URL it waits for, then registers when it answers', async () => {
    const port = await freePort();
    const url = `ws://127.0.0.1:${port}`;
    const { output } = startWorker(developmentWorker(url));
    await vi.waitFor(() => expect(output()).toContain(`Waiting for the LiveKit server at ${url}`), {
      timeout: 20_000,
    });
    expect(output()).toContain('livekit-server --dev');
    // A few polls later it still said it only once, with no stack trace or JSON warning.
    await new Promise((resolve) => setTimeout(resolve, 4_500));
    expect(output().match(/Waiting for the LiveKit server/g)).toHaveLength(1);
    expect(output()).not.toMatch(/ECONNREFUSED|\n\s+at |"level"/);

    endpoint = new WebSocketServer({ host: '127.0.0.1', port });
    await once(endpoint, 'listening');
    expect(await registrations(endpoint, 1)).toEqual(['attune-test-agent']);
  });

  it('refuses to start on an invalid configuration, saying what to set, with no stack trace', async () => {
    const { child, output } = startWorker({
      NODE_ENV: 'production',
      SPEECH: 'local',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(1);
    expect(output()).toContain('Refusing to start the agent with NODE_ENV=production');
    expect(output()).toContain('set the key pair of your LiveKit server');
    expect(output()).toContain('AGENT_API_SECRET is not set');
    expect(output()).not.toMatch(/\n\s+at /);
  });
});
