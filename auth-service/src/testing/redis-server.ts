import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chownSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A Redis for one test: a shared server with a key prefix of its own, or a throwaway server. */
export interface TestRedis {
  /** What to set REDIS_URL to (it carries the password when one was asked for). */
  url: string;
  /** A prefix no other test uses, for REDIS_KEY_PREFIX: tests sharing a server never meet. */
  keyPrefix: string;
  /** REDIS_URL and REDIS_KEY_PREFIX, to spread into `startTestServer`'s environment. */
  env: { REDIS_URL: string; REDIS_KEY_PREFIX: string };
  /** Whether this is a throwaway server the test may stop, pause and restart. */
  own: boolean;
  /** Kills the server at once (SIGKILL), as a crash would; its data is gone (nothing is saved). */
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  restart(): Promise<void>;
  /** Freezes it (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Lets it answer again (SIGCONT). */
  resume(): void;
  /** Stops a throwaway server and removes its folder; a shared server is left running. */
  close(): Promise<void>;
}

export interface TestRedisOptions {
  /**
   * A throwaway server even when ATTUNE_TEST_REDIS_URL names a shared one: for tests that stop
   * or freeze the server.
   */
  own?: boolean;
  /** The server requires this password (`requirepass`); `url` carries it. Implies `own`. */
  password?: string;
  /**
   * Another host's network (test/multi-host): the server runs inside this network namespace
   * (`ip netns`, needs root) and listens on `address` there, where the other hosts reach it.
   * Implies `own`.
   */
  host?: { networkNamespace: string; address: string };
}

/**
 * A real Redis for a test. With ATTUNE_TEST_REDIS_URL (CI starts one server for the whole suite)
 * that server, with a fresh key prefix; otherwise, or with `own`, a throwaway `redis-server` (the
 * Debian package) on a free loopback port, saving nothing, in a temp folder removed on `close`.
 * As root the server runs as the `redis` user, as the package's own service does.
 */
export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const keyPrefix = `test-${randomBytes(6).toString('hex')}:`;
  const shared = process.env.ATTUNE_TEST_REDIS_URL;
  if (shared && !options.own && options.password === undefined && options.host === undefined) {
    const refusal = () =>
      new Error('a shared Redis (ATTUNE_TEST_REDIS_URL) is not the test’s to stop; ask for `own`');
    const notOwn = () => {
      throw refusal();
    };
    return {
      url: shared,
      keyPrefix,
      env: { REDIS_URL: shared, REDIS_KEY_PREFIX: keyPrefix },
      own: false,
      kill: () => Promise.reject(refusal()),
      restart: () => Promise.reject(refusal()),
      pause: notOwn,
      resume: notOwn,
      // Its keys end with their windows (a minute); nothing to clean.
      close: () => Promise.resolve(),
    };
  }
  return startOwnRedis(keyPrefix, options.password, options.host);
}

async function startOwnRedis(
  keyPrefix: string,
  password: string | undefined,
  host: TestRedisOptions['host'],
): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'attune-redis-'));
  const owner = process.getuid?.() === 0 ? systemUser('redis') : null;
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const port = await freePort();
  const address = host?.address ?? '127.0.0.1';
  // Also on a Unix socket, which this process reaches from any network namespace: readiness is
  // checked there.
  const socket = join(dir, 'redis.sock');
  const args = ['--bind', address, '--port', String(port), '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--daemonize', 'no', '--loglevel', 'warning');
  args.push('--unixsocket', socket, '--unixsocketperm', '700');
  if (password !== undefined) args.push('--requirepass', password);
  // Entering a namespace needs root: the server drops to its user once inside.
  const [command, ...argv] = host
    ? [
        'ip',
        'netns',
        'exec',
        host.networkNamespace,
        ...(owner
          ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--clear-groups']
          : []),
        'redis-server',
        ...args,
      ]
    : ['redis-server', ...args];

  let server: ChildProcess | null = null;
  const start = async () => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(owner && !host ? { uid: owner.uid, gid: owner.gid } : {}),
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += String(chunk)));
    const spawned = await Promise.race([
      once(child, 'spawn').then(() => null),
      once(child, 'error').then(([error]) => error as Error),
    ]);
    if (spawned)
      throw new Error(
        `cannot start redis-server (${spawned.message}); install it: apt-get install redis-server`,
      );
    server = child;
    // A test run that ends without closing it (a crash, a timeout) must not leave it running.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
    await waitForPong(socket, password, child, () => stderr);
  };
  const stop = async (signal: NodeJS.Signals) => {
    const child = server;
    server = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT'); // a paused server must run to die of SIGTERM
    child.kill(signal);
    await exited;
  };
  const signalRunning = (signal: NodeJS.Signals) => {
    if (!server) throw new Error('the test Redis is not running');
    server.kill(signal);
  };

  await start();
  const auth = password === undefined ? '' : `:${encodeURIComponent(password)}@`;
  const url = `redis://${auth}${address}:${port}`;
  return {
    url,
    keyPrefix,
    env: { REDIS_URL: url, REDIS_KEY_PREFIX: keyPrefix },
    own: true,
    kill: () => stop('SIGKILL'),
    restart: async () => {
      await stop('SIGKILL');
      await start();
    },
    pause: () => signalRunning('SIGSTOP'),
    resume: () => signalRunning('SIGCONT'),
    async close() {
      await stop('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The uid and gid of a system user from /etc/passwd, or null if it does not exist. */
function systemUser(name: string): { uid: number; gid: number } | null {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const [user, , uid, gid] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined)
      return { uid: Number(uid), gid: Number(gid) };
  }
  return null;
}

/** A loopback port nothing listens on right now. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

/**
 * Waits until the server answers PING on its Unix socket (up to 10 s), or throws with what it
 * wrote to stderr.
 */
async function waitForPong(
  socket: string,
  password: string | undefined,
  child: ChildProcess,
  stderr: () => string,
): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`redis-server exited with ${child.exitCode}: ${stderr()}`);
    if (await answersPing(socket, password)) return;
    await sleep(20);
  }
  throw new Error(`redis-server did not answer on ${socket} within 10 s: ${stderr()}`);
}

function answersPing(path: string, password: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    let reply = '';
    socket.setTimeout(1_000, () => socket.destroy());
    socket.on('connect', () => {
      const auth = password === undefined ? '' : `AUTH ${password}\r\n`;
      socket.write(`${auth}PING\r\n`);
    });
    socket.on('data', (chunk) => {
      reply += String(chunk);
      if (reply.includes('+PONG')) socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => resolve(reply.includes('+PONG')));
  });
}
