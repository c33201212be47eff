/**
 * Throwaway PostgreSQL servers and databases for tests and benchmarks: a real server from the
 * Debian `postgresql` package, in a temp folder, on a free loopback port. PostgreSQL refuses to
 * run as root, so under root the server runs as the `postgres` user the package creates.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The environment variable naming a server tests may create databases on (`postgres://…/postgres`). */
export const TEST_POSTGRES_URL_VAR = 'ATTUNE_TEST_POSTGRES_URL';

export interface PostgresServer {
  /** URL of the server's `postgres` database, as the superuser `postgres` (trust auth, over TCP). */
  readonly url: string;
  /**
   * The same database through the server's Unix socket: reachable from any network namespace on
   * this machine (the socket is a file), e.g. for a test to read what replicas on other hosts wrote.
   */
  readonly socketUrl: string;
  readonly port: number;
  stop(): void;
}

export interface PostgresServerOptions {
  maxConnections?: number;
  /** The address the server listens on (default 127.0.0.1), e.g. a test host's network address. */
  listenAddress?: string;
  /**
   * A network namespace (`ip netns`, needs root) to run the server in, so it listens on an address
   * of a host made there (test/multi-host): the other hosts reach it over their network.
   */
  networkNamespace?: string;
}

/** The newest installed PostgreSQL's bin folder, or undefined when none is installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Creates a cluster in a temp folder and starts it on 127.0.0.1 only (or `listenAddress`, inside
 * `networkNamespace`). `fsync=off`: a test server's data need not survive a power cut, and fsync
 * dominates its write time.
 */
export async function startPostgresServer(
  options: PostgresServerOptions = {},
): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin)
    throw new Error(
      'PostgreSQL is not installed: run `apt-get install -y postgresql` (test/system-packages.sh does)',
    );
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'attune-pg-'));
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const listenAddress = options.listenAddress ?? '127.0.0.1';
  // pg_ctl starts the server as its own child: run in the namespace, the server lives there.
  const inNamespace = options.networkNamespace
    ? ['ip', 'netns', 'exec', options.networkNamespace]
    : [];
  const run = (command: string, args: string[]) => {
    const asUser = asRoot ? ['runuser', '-u', 'postgres', '--'] : [];
    const [file, ...argv] = [...inNamespace, ...asUser, join(bin, command), ...args];
    const result = spawnSync(file!, argv, { encoding: 'utf8' });
    if (result.status !== 0)
      throw new Error(`${command} failed: ${(result.stderr || result.stdout).trim()}`);
  };
  const data = join(dir, 'data');
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  // initdb trusts loopback only; a server on a test host's address lets that host's network in.
  if (options.listenAddress !== undefined)
    appendFileSync(join(data, 'pg_hba.conf'), 'host all all samenet trust\n');
  const settings = [
    `-c listen_addresses=${listenAddress}`,
    `-p ${port}`,
    `-k ${dir}`,
    `-c fsync=off`,
    `-c max_connections=${options.maxConnections ?? 200}`,
  ].join(' ');
  run('pg_ctl', ['-D', data, '-l', join(dir, 'log'), '-w', '-o', settings, 'start']);
  return {
    url: `postgres://postgres@${listenAddress}:${port}/postgres`,
    // node-postgres takes the socket's folder from `host` in the query, over the URL's host.
    socketUrl: `postgres://postgres@localhost:${port}/postgres?host=${encodeURIComponent(dir)}`,
    port,
    stop() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface TestPostgresDatabase {
  /** URL of a new, empty database of its own. */
  readonly url: string;
  /** Its name, for the same database at another of the server's URLs. */
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A new empty database on the test server named by ATTUNE_TEST_POSTGRES_URL (CI starts one;
 * vitest's global setup starts one otherwise), or on the server at `serverUrl`, so test files
 * never share tables.
 */
export async function createTestPostgresDatabase(
  serverUrl = process.env[TEST_POSTGRES_URL_VAR],
): Promise<TestPostgresDatabase> {
  if (!serverUrl)
    throw new Error(
      `${TEST_POSTGRES_URL_VAR} is not set: run the tests through vitest (its global setup starts PostgreSQL)`,
    );
  const name = `attune_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
