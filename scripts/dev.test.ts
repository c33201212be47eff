// `pnpm dev` itself (scripts/dev.ts), with a stand-in `livekit-server` on the PATH: it starts the
// auth service, Vite and the agent (which stops, no language model being configured), hands
// livekit-server the webhook configuration, says which URL to open, and on SIGTERM stops every
// process it started, passing the signal on.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const DEV = fileURLToPath(new URL('./dev.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'attune-dev-'));
const record = join(dir, 'livekit-args');
const startedPids: number[] = [];
const devs: ChildProcess[] = [];

// Records its arguments one per line, then runs until a signal, which it also records.
const FAKE_LIVEKIT = `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done > "${record}"
echo "fake livekit-server up"
trap 'echo TERM > "${record}.signal"; exit 0' TERM
trap 'echo INT > "${record}.signal"; exit 0' INT
while :; do sleep 1; done
`;

afterAll(() => {
  for (const pid of startedPids) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
  for (const dev of devs) if (dev.exitCode === null) dev.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(
  what: string,
  condition: () => boolean,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; output so far:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs scripts/dev.ts with a temp database, no language model and the given settings. */
function runDev(env: Record<string, string>) {
  let output = '';
  const dev = spawn(process.execPath, ['--conditions=@attune/source', '--import', 'tsx', DEV], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? dir,
      DATABASE_PATH: join(dir, 'attune.db'),
      LOG_LEVEL: 'warn',
      // No language model: the agent stops with its own message, the rest keeps running.
      OPENAI_API_KEY: '',
      LLM_API_KEY: '',
      LLM_BASE_URL: '',
      LIVEKIT_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  devs.push(dev);
  dev.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  dev.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(dev, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const text = () => output;
  /** The processes it says it started, by name. */
  const pids = () => {
    const found = new Map(
      [...output.matchAll(/started (\w+) \(pid (\d+)\)/g)].map((m) => [m[1]!, Number(m[2])]),
    );
    startedPids.push(...found.values());
    return found;
  };
  return { dev, exited, text, pids };
}

describe('pnpm dev (scripts/dev.ts)', () => {
  it('starts the stack with livekit-server wired to the auth service, and stops all of it on SIGTERM', async () => {
    const binDir = join(dir, 'bin');
    const fake = join(binDir, 'livekit-server');
    mkdirSync(binDir);
    writeFileSync(fake, FAKE_LIVEKIT);
    chmodSync(fake, 0o755);
    const [authPort, webPort] = [await freePort(), await freePort()];
    const {
      dev,
      exited,
      text,
      pids: startedNow,
    } = runDev({
      PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}`,
      PORT: String(authPort),
      WEB_PORT: String(webPort),
    });

    await waitFor(
      'the ready message',
      () => text().includes(`Open http://127.0.0.1:${webPort}`),
      45_000,
      text,
    );
    const pids = startedNow();
    expect([...pids.keys()].sort()).toEqual(['agent', 'auth', 'livekit', 'web']);
    expect(text()).not.toContain('livekit-server is not on the PATH');

    // livekit-server got --dev and a webhook configuration that reaches the running auth service.
    await waitFor('the fake livekit-server', () => existsSync(record), 5_000, text);
    const args = readFileSync(record, 'utf8').trimEnd().split('\n');
    expect(args[0]).toBe('--dev');
    const config = JSON.parse(args[args.indexOf('--config-body') + 1]!) as {
      webhook: { api_key: string; urls: string[] };
    };
    expect(config.webhook.api_key).toBe('devkey');
    expect(config.webhook.urls).toEqual([`http://127.0.0.1:${authPort}/livekit/webhook`]);
    const unsigned = await fetch(config.webhook.urls[0]!, {
      method: 'POST',
      headers: { 'content-type': 'application/webhook+json' },
      body: '{}',
    });
    expect(unsigned.status).toBe(401); // the auth service's webhook route, refusing an unsigned event
    expect(((await unsigned.json()) as { error: { code: string } }).error.code).toBe(
      'signature_missing',
    );

    // The auth service and the Vite dev server answer; Vite forwards the API to the auth service.
    expect((await fetch(`http://127.0.0.1:${authPort}/ready`)).status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${webPort}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    expect((await fetch(`http://127.0.0.1:${webPort}/ready`)).status).toBe(200);
    // A page whose path starts like an API prefix (/memory, /me) stays with Vite: its live page
    // loads the source entry, not a build. The API path itself is forwarded (401 without a token).
    const memory = await fetch(`http://127.0.0.1:${webPort}/memory`, {
      headers: { accept: 'text/html' },
    });
    expect(memory.status).toBe(200);
    expect(await memory.text()).toContain('/src/main.tsx');
    expect((await fetch(`http://127.0.0.1:${webPort}/me/sessions`)).status).toBe(401);

    // The agent refused to start; its message and the hint are shown, and the stack stays up.
    await waitFor(
      'the agent hint',
      () => text().includes('agent exited with code 1'),
      15_000,
      text,
    );
    expect(text()).toMatch(/agent +\| The agent cannot start/);
    expect(text()).toContain('SPEECH=local');
    expect(text()).toMatch(/^web +\| .*Local: +http:\/\/127\.0\.0\.1:\d+/m);
    expect(text()).toMatch(/^livekit \| fake livekit-server up$/m);
    for (const name of ['auth', 'web', 'livekit'])
      expect(groupAlive(pids.get(name)!), `${name} running`).toBe(true);

    dev.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
    expect(readFileSync(`${record}.signal`, 'utf8').trim()).toBe('TERM');
    // Every process it started, and everything those started, is gone (zombies take a moment to be reaped).
    for (const [name, pid] of pids)
      await waitFor(`${name}'s processes to end`, () => !groupAlive(pid), 3_000, text);
    expect(text()).toContain('Stopped.');
  }, 90_000);

  it('stops everything, with a message, when the auth service cannot start', async () => {
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const authPort = (busy.address() as AddressInfo).port;
    try {
      const { exited, text, pids } = runDev({
        PORT: String(authPort),
        WEB_PORT: String(await freePort()),
        LIVEKIT_URL: 'wss://livekit.example.org', // no livekit-server, whatever is on the PATH
      });
      const [code] = await exited;
      expect(code).toBe(1);
      expect(text()).toMatch(/^auth +\| .*port 127\.0\.0\.1:\d+ is already in use/m);
      expect(text()).toContain('auth failed to start');
      expect(text()).toContain('Stopped after a failure.');
      const started = pids();
      expect([...started.keys()].sort()).toEqual(['agent', 'auth', 'web']);
      for (const [name, pid] of started)
        await waitFor(`${name}'s processes to end`, () => !groupAlive(pid), 3_000, text);
    } finally {
      busy.close();
    }
  }, 90_000);
});
