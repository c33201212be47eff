import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { rawHttpRequest } from './testing/raw-http.ts';
import { startTestRedis } from './testing/redis-server.ts';
import { startSmtpSink } from './testing/smtp-sink.ts';

const SERVER_ENTRY = fileURLToPath(new URL('./server.ts', import.meta.url));
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  // A test that failed part-way must not leave its server running.
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function startServer(env: Record<string, string>): Promise<{
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-server-'));
  dirs.push(dir);
  const child = spawn(
    process.execPath,
    ['--conditions=@attune/source', '--import', 'tsx', SERVER_ENTRY],
    {
      env: {
        PATH: process.env.PATH,
        DATABASE_PATH: join(dir, 'attune.db'),
        BCRYPT_COST: '4',
        // Tests run side by side: never the default internal port.
        INTERNAL_PORT: String(await freePort()),
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForListening(output: () => string): Promise<void> {
  for (let i = 0; i < 200; i += 1) {
    if (output().includes('auth-service listening')) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not start:\n${output()}`);
}

describe('server entry', () => {
  it('refuses to start in production on dev keys and no JWT secret, saying what to set', async () => {
    const { exited, output } = await startServer({
      NODE_ENV: 'production',
      PORT: String(await freePort()),
    });
    expect(await exited).toBe(1);
    expect(output()).toContain('Refusing to start with NODE_ENV=production');
    expect(output()).toContain('set the key pair of your LiveKit server');
    expect(output()).toContain('JWT_SECRET is not set');
    expect(output()).toContain('AGENT_API_SECRET is not set');
    expect(output()).toContain(
      'set SMTP_URL to your mail server, e.g. smtps://user:pass@smtp.example.com:465',
    );
    expect(output()).toContain('PUBLIC_URL is not set');
  });

  it('says which port is taken when it cannot listen', async () => {
    const port = await freePort();
    const blocker = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const { exited, output } = await startServer({ PORT: String(port) });
      expect(await exited).toBe(1);
      expect(output()).toContain(
        `port 127.0.0.1:${port} is already in use; stop the other process or set PORT`,
      );
      expect(output()).not.toMatch(/\n\s+at /); // no stack trace
    } finally {
      blocker.close();
    }
  });

  it('says which setting to change when the internal agent API port is taken', async () => {
    const internalPort = await freePort();
    const blocker = createServer().listen(internalPort, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const { exited, output } = await startServer({
        PORT: String(await freePort()),
        INTERNAL_PORT: String(internalPort),
      });
      expect(await exited).toBe(1);
      expect(output()).toContain(
        `port 127.0.0.1:${internalPort} is already in use; stop the other process or set INTERNAL_PORT`,
      );
    } finally {
      blocker.close();
    }
  });

  it('says so when the database cannot be opened', async () => {
    // A folder path that runs through a regular file cannot be created, even by root.
    const dir = mkdtempSync(join(tmpdir(), 'attune-server-'));
    dirs.push(dir);
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const databasePath = join(blocker, 'attune.db');
    const { exited, output } = await startServer({
      PORT: String(await freePort()),
      DATABASE_PATH: databasePath,
      JWT_SECRET: 'j'.repeat(40),
      AGENT_API_SECRET: 'a'.repeat(40),
    });
    expect(await exited).toBe(1);
    expect(output()).toContain(`cannot open the database at ${databasePath}`);
    expect(output()).toContain('Set DATABASE_PATH');
    // Without the secrets set, development keeps them beside the database: the same advice.
    const development = await startServer({
      PORT: String(await freePort()),
      DATABASE_PATH: databasePath,
    });
    expect(await development.exited).toBe(1);
    expect(development.output()).toContain(
      `cannot keep the development secret in ${join(blocker, 'jwt-secret')} (ENOTDIR); set DATABASE_PATH to a file in a writable folder, or set JWT_SECRET`,
    );
    expect(development.output()).not.toMatch(/\n\s+at /);
  });

  it('says which PostgreSQL it could not open, without the password, and what to check', async () => {
    const closedPort = await freePort();
    const { exited, output } = await startServer({
      PORT: String(await freePort()),
      DATABASE_URL: `postgres://attune:pg-secret-password@127.0.0.1:${closedPort}/attune`,
      JWT_SECRET: 'j'.repeat(40),
      AGENT_API_SECRET: 'a'.repeat(40),
    });
    expect(await exited).toBe(1);
    expect(output()).toContain(
      `cannot open the PostgreSQL database at postgres://attune:***@127.0.0.1:${closedPort}/attune`,
    );
    expect(output()).toContain('Check DATABASE_URL');
    expect(output()).not.toContain('DATABASE_PATH');
    expect(output()).not.toContain('pg-secret-password');
  });

  it('migrates, serves on the configured port, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const internalPort = await freePort();
    const jwtSecret = 'a-production-grade-secret-of-enough-length';
    const agentSecret = 'a-production-agent-secret-of-enough-length';
    const smtpPassword = 'smtp-password-never-logged';
    const smtp = await startSmtpSink({ auth: { user: 'attune', pass: smtpPassword } });
    const redisPassword = 'redis-password-never-logged';
    const redis = await startTestRedis({ password: redisPassword });
    const { child, exited, output } = await startServer({
      NODE_ENV: 'production',
      BCRYPT_COST: '12',
      PORT: String(port),
      INTERNAL_PORT: String(internalPort),
      JWT_SECRET: jwtSecret,
      AGENT_API_SECRET: agentSecret,
      LIVEKIT_URL: 'wss://livekit.example.org',
      LIVEKIT_API_KEY: 'APIprodkey',
      LIVEKIT_API_SECRET: 'production-livekit-secret-of-32-chars-or-more',
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://attune.example.org',
      REDIS_URL: redis.url,
    });
    await waitForListening(output);
    // Start-up says where mail goes, without the credentials.
    expect(output()).toContain(`"mail":"smtp://127.0.0.1:${smtp.port}"`);
    expect(output()).toContain('"publicUrl":"https://attune.example.org"');
    // …and where rate limits count, again without the password.
    expect(output()).toContain('"rateLimits":"redis"');
    expect(output()).toContain(
      `"store":"Redis at ${redis.url.replace(`:${redisPassword}@`, '')}","msg":"rate limits shared through Redis"`,
    );
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: 'ok' });
    const registered = await fetch(`http://127.0.0.1:${port}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'ops@example.org',
        password: 'ops password',
        full_name: 'Ops',
      }),
    });
    expect(registered.status).toBe(201);
    // The internal agent API answers on its own port (and only there), behind its secret.
    expect(output()).toContain('internal agent API listening');
    const internal = `http://127.0.0.1:${internalPort}/agent/v1/participants/resolve`;
    const withoutSecret = await fetch(internal, { method: 'POST' });
    expect(withoutSecret.status).toBe(401);
    const resolved = await fetch(internal, {
      method: 'POST',
      headers: { authorization: `Bearer ${agentSecret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room_name: 'r', identity: 'u', attributes: {} }),
    });
    expect(await resolved.json()).toEqual({ outcome: 'refused', reason: 'missing_attributes' });
    expect(
      (await fetch(`http://127.0.0.1:${port}/agent/v1/participants/resolve`, { method: 'POST' }))
        .status,
    ).toBe(404);
    // What Node's HTTP parser refuses gets the JSON error shape too, on both listeners.
    for (const listener of [port, internalPort]) {
      const broken = await rawHttpRequest(
        `http://127.0.0.1:${listener}`,
        'GET /ready HTTP/1.1\r\nHost: 127.0.0.1\r\nA header without a colon\r\n\r\n',
      );
      expect(broken.status).toBe(400);
      expect(JSON.parse(broken.body)).toMatchObject({ error: { code: 'bad_request' } });
    }

    // SIGTERM while a sign-up (bcrypt at cost 12, a few hundred ms) is in flight: it completes.
    const inFlight = fetch(`http://127.0.0.1:${port}/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        email: 'late@example.org',
        password: 'late password',
        full_name: 'Late',
      }),
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    child.kill('SIGTERM');
    expect((await inFlight).status).toBe(201);
    expect(await exited).toBe(0);
    const logs = output();
    expect(logs).toContain('"msg":"stopped"');
    // JSON lines only, and no secret or password in any of them
    for (const line of logs.trim().split('\n'))
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    for (const secret of [
      jwtSecret,
      agentSecret,
      'production-livekit-secret-of-32-chars-or-more',
      'ops password',
      smtpPassword,
      redisPassword,
    ])
      expect(logs).not.toContain(secret);
    await smtp.close();
    await redis.close();
  });
});
