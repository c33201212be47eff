// The internal agent API, measured the way agents use it, against the compiled auth service in a
// process of its own on loopback:
//   - the user-context load (resolving a participant with a long history) one call at a time;
//   - the memory of one job process with one live session, compiled and from the sources;
//   - many conversations at once: simulated agents (API clients only, no audio) that each resolve
//     at start and append a batch of turns every 3 s, beside a bare Hono server given the same load.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AgentApiClient, jobProcessNodeFlags, loadAgentConfig } from '@attune/agent';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '@attune/contract';
import { insertUser, insertUserSession, savePreference } from '@attune/db';
import { insertSyntheticTurns, openTempDatabase } from '@attune/db/testing';
import {
  BENCH_AGENT_SECRET,
  cpuSecondsOf,
  freePort,
  startServiceProcess,
} from './service-process.ts';
import type { SimulatedAgentsConfig, SimulatedAgentsSamples } from './simulated-agents.ts';

const MEMORY_CHILD = fileURLToPath(new URL('./agent-job-memory.mjs', import.meta.url));
const SIMULATED_AGENTS = fileURLToPath(new URL('./simulated-agents.ts', import.meta.url));
const BARE_SERVER = fileURLToPath(new URL('./bare-hono-server.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** An agent configuration as the benchmark's job processes would have it (defaults otherwise). */
const BENCH_AGENT_ENV = {
  SPEECH: 'local',
  LLM_BASE_URL: 'http://127.0.0.1:9/v1',
  AGENT_API_SECRET: BENCH_AGENT_SECRET,
};

export interface Latency {
  calls: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  failed: number;
}

export interface AgentApiBenchResult {
  contextLoad: Latency & { turnsStored: number; historyTurnsLoaded: number; preferences: number };
  jobMemory: {
    /** As production runs it: compiled, with the job processes' flags. */
    compiled: JobMemory;
    /** Compiled, with Node's default heap. */
    compiledDefaultHeap: JobMemory;
    /** From the sources under tsx, as before the agent was compiled. */
    sources: JobMemory;
  };
  conversations: {
    count: number;
    durationSeconds: number;
    resolve: Latency;
    appendTurns: Latency;
    all: Latency;
    /** CPU the auth service used over the run, as % of one core. */
    serviceCpuPercent: number;
    bare: { all: Latency; serverCpuPercent: number };
  };
}

interface JobMemory {
  /** The node flags it ran with. */
  flags: string[];
  rssBeforeSessionMb: number;
  rssWithOneSessionMb: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

function latencyOf(samples: number[], failed = 0): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return {
    calls: sorted.length,
    p50Ms: round2(at(50)),
    p99Ms: round2(at(99)),
    maxMs: round2(sorted.at(-1) ?? 0),
    failed,
  };
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
}

interface Seeded {
  userId: string;
  participant: { room_name: string; identity: string; attributes: Record<string, string> };
}

/** A user with a session in a room of their own, as a minted token would have recorded it. */
function seedSession(db: ReturnType<typeof openTempDatabase>['db'], name: string): Seeded {
  const user = insertUser(
    db,
    { email: `${name}@example.org`, fullName: name, passwordHash: 'unused' },
    0,
  )!;
  const roomName = `room-${name}`;
  const session = insertUserSession(
    db,
    { userId: user.id, roomName, participantIdentity: user.id },
    Date.now(),
  );
  return {
    userId: user.id,
    participant: {
      room_name: roomName,
      identity: user.id,
      attributes: { [ATTRIBUTE_USER_ID]: user.id, [ATTRIBUTE_SESSION_ID]: session.id },
    },
  };
}

const client = (baseUrl: string) =>
  new AgentApiClient({ baseUrl, agentSecret: BENCH_AGENT_SECRET, timeoutMs: 10_000, retries: 0 });

/** One job process's memory (a child process), compiled or run from the sources under tsx. */
async function jobMemory(
  mode: 'compiled' | 'sources',
  flags: string[],
  apiUrl: string,
  participant: Seeded['participant'],
): Promise<JobMemory> {
  const loader = mode === 'sources' ? ['--conditions=@attune/source', '--import', 'tsx'] : [];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', ...flags, ...loader, MEMORY_CHILD, mode, apiUrl, JSON.stringify(participant)],
    // The secret in the environment, never on a command line (where `ps` shows it).
    {
      cwd: ROOT,
      maxBuffer: 1024 * 1024,
      env: { ...process.env, AGENT_API_SECRET: BENCH_AGENT_SECRET },
    },
  );
  const measured = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Omit<JobMemory, 'flags'>;
  return {
    flags,
    rssBeforeSessionMb: measured.rssBeforeSessionMb,
    rssWithOneSessionMb: measured.rssWithOneSessionMb,
  };
}

/**
 * Simulated agents (bench/simulated-agents.ts) in a process of their own against `url`, while
 * the server process `serverPid` is watched: latencies by kind of call, and its CPU.
 */
async function simulatedAgents(
  config: SimulatedAgentsConfig,
  serverPid: number,
): Promise<{ samples: SimulatedAgentsSamples; serverCpuPercent: number }> {
  const file = join(tmpdir(), `attune-simulated-agents-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(config));
  try {
    const cpuBefore = cpuSecondsOf(serverPid);
    const wallBefore = performance.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--conditions=@attune/source', '--import', 'tsx', SIMULATED_AGENTS, file],
      {
        cwd: ROOT,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, AGENT_API_SECRET: BENCH_AGENT_SECRET },
      },
    );
    const serverCpuPercent =
      ((cpuSecondsOf(serverPid) - cpuBefore) / ((performance.now() - wallBefore) / 1000)) * 100;
    const samples = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as SimulatedAgentsSamples;
    return { samples, serverCpuPercent };
  } finally {
    rmSync(file, { force: true });
  }
}

async function startBareServer(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [BARE_SERVER, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await once(child.stdout, 'data');
  return { url: `http://127.0.0.1:${port}/bare`, child };
}

export async function benchAgentApi(options: {
  turns: number;
  iterations: number;
  conversations: number;
  durationSeconds: number;
}): Promise<AgentApiBenchResult> {
  const database = openTempDatabase();
  try {
    const db = database.db;
    const longHistory = seedSession(db, 'long-history');
    for (let i = 0; i < 20; i += 1) {
      savePreference(
        db,
        {
          userId: longHistory.userId,
          key: `preference ${i}`,
          value: `value ${i}`,
          maxPerUser: 100,
        },
        0,
      );
    }
    insertSyntheticTurns(database.connection, {
      userId: longHistory.userId,
      count: options.turns,
      startMs: 1_700_000_000_000,
    });
    const people = database.connection.transaction(() =>
      Array.from({ length: options.conversations }, (_, i) => seedSession(db, `caller-${i}`)),
    )();
    const memoryUser = seedSession(db, 'memory');

    const service = await startServiceProcess(database.path, { MAX_SESSIONS_PER_USER: '100000' });
    try {
      // 1. The user-context load: what a job waits for before it can greet.
      const api = client(service.internalUrl);
      const contextSamples: number[] = [];
      let historyTurnsLoaded = 0;
      for (let i = 0; i < options.iterations + 50; i += 1) {
        const answer = await timed(i < 50 ? [] : contextSamples, () =>
          api.resolveParticipant(longHistory.participant),
        );
        if (answer.outcome !== 'resolved') throw new Error(`refused: ${answer.reason}`);
        historyTurnsLoaded = answer.history.length;
      }
      await api.close();

      // 2. One job process's memory: as production runs it (compiled, with the flags the worker
      // gives its job processes), compiled with Node's default heap, and from the sources (tsx).
      const productionFlags = jobProcessNodeFlags(
        loadAgentConfig(BENCH_AGENT_ENV).worker.jobSemiSpaceMb,
      );
      const url = service.internalUrl;
      const compiled = await jobMemory('compiled', productionFlags, url, memoryUser.participant);
      const compiledDefaultHeap = await jobMemory('compiled', [], url, memoryUser.participant);
      const sources = await jobMemory('sources', [], url, memoryUser.participant);

      // 3. Many conversations at once, each with its own client (its own job process), then the
      // same load on a bare Hono server: what the network stack and HTTP cost alone.
      const load = { count: people.length, durationMs: options.durationSeconds * 1000 };
      const attune = await simulatedAgents(
        {
          ...load,
          target: 'attune',
          url: service.internalUrl,
          participants: people.map((person) => person.participant),
        },
        service.pid,
      );
      const bare = await startBareServer();
      let baseline: Awaited<ReturnType<typeof simulatedAgents>>;
      try {
        baseline = await simulatedAgents(
          { ...load, target: 'bare', url: bare.url, participants: [] },
          bare.child.pid!,
        );
      } finally {
        bare.child.kill('SIGTERM');
      }

      return {
        contextLoad: {
          ...latencyOf(contextSamples),
          turnsStored: options.turns,
          historyTurnsLoaded,
          preferences: 20,
        },
        jobMemory: { compiled, compiledDefaultHeap, sources },
        conversations: {
          count: people.length,
          durationSeconds: options.durationSeconds,
          resolve: latencyOf(attune.samples.start, attune.samples.failed),
          appendTurns: latencyOf(attune.samples.tick),
          all: latencyOf([...attune.samples.start, ...attune.samples.tick], attune.samples.failed),
          serviceCpuPercent: Math.round(attune.serverCpuPercent),
          bare: {
            all: latencyOf(
              [...baseline.samples.start, ...baseline.samples.tick],
              baseline.samples.failed,
            ),
            serverCpuPercent: Math.round(baseline.serverCpuPercent),
          },
        },
      };
    } finally {
      await service.stop();
    }
  } finally {
    database.remove();
  }
}
