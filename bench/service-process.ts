// The auth service as production runs it, for benchmarks: compiled JavaScript (`pnpm build`) in a
// process of its own, so the load generator never shares its event loop or its CPU account.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../auth-service/dist/server.js', import.meta.url));
/** Linux's clock ticks per second in /proc/<pid>/stat (USER_HZ). */
const TICKS_PER_SECOND = 100;

export const BENCH_AGENT_SECRET = 'bench-agent-secret-of-at-least-32-characters';
export const BENCH_JWT_SECRET = 'bench-jwt-secret-of-at-least-32-characters-too';

export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

export interface ServiceProcess {
  publicUrl: string;
  internalUrl: string;
  pid: number;
  cpuSeconds(): number;
  stop(): Promise<void>;
}

async function waitUntilReady(
  url: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`the auth service exited:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the auth service did not become ready:\n${output()}`);
}

/** Starts the compiled auth service on loopback over `databasePath`, quiet, limits lifted. */
export async function startServiceProcess(
  databasePath: string,
  env: Record<string, string> = {},
  /** Extra node flags, e.g. `--cpu-prof` to profile the service under a benchmark's load. */
  nodeFlags: string[] = [],
): Promise<ServiceProcess> {
  const [port, internalPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [...nodeFlags, SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'development',
      DATABASE_PATH: databasePath,
      HOST: '127.0.0.1',
      PORT: String(port),
      INTERNAL_HOST: '127.0.0.1',
      INTERNAL_PORT: String(internalPort),
      JWT_SECRET: BENCH_JWT_SECRET,
      AGENT_API_SECRET: BENCH_AGENT_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_ENABLED: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const publicUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(`${publicUrl}/ready`, child, () => output);
  const pid = child.pid!;
  return {
    publicUrl,
    internalUrl: `http://127.0.0.1:${internalPort}`,
    pid,
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
