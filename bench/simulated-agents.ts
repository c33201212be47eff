// Child process of the agent API benchmark: many agents at once, API clients only (no audio).
// Each conversation starts at its own moment within the first 3 s, calls `start` once (resolving
// its participant), then `tick` every 3 s (appending a batch of two turns) until the end. It runs
// in a process of its own, as agents do, so that the orchestrating benchmark's heap and timers
// never weigh on the latencies it measures.
//   node --conditions=@attune/source --import tsx bench/simulated-agents.ts <config.json>
// with AGENT_API_SECRET in the environment; prints one JSON line of samples.
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { AgentApiClient, type SessionApi } from '@attune/agent';
import type { NewTurn, ResolveParticipantRequest } from '@attune/contract';

export interface SimulatedAgentsConfig {
  /** `attune`: the internal agent API; `bare`: a bare Hono JSON POST server, the baseline. */
  target: 'attune' | 'bare';
  url: string;
  /** One per conversation (attune only). */
  participants: ResolveParticipantRequest[];
  count: number;
  durationMs: number;
}

export interface SimulatedAgentsSamples {
  start: number[];
  tick: number[];
  failed: number;
}

const secret = process.env.AGENT_API_SECRET ?? '';

const batchOf = (index: number, tick: number): NewTurn[] =>
  (['user', 'assistant'] as const).map((role, k) => ({
    id: `c${index}-t${tick}-${k}`,
    role,
    text:
      role === 'user'
        ? `Question ${tick} of conversation ${index}: what is the weather like in Lisbon in May?`
        : `Answer ${tick}: usually warm and sunny, around twenty-two degrees in the afternoon.`,
    created_at_ms: Date.now(),
  }));

async function timed(samples: number[], work: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await work();
  samples.push(performance.now() - started);
}

async function simulate(
  config: SimulatedAgentsConfig,
  conversation: (index: number) => { start: () => Promise<unknown>; tick: () => Promise<unknown> },
): Promise<SimulatedAgentsSamples> {
  const samples: SimulatedAgentsSamples = { start: [], tick: [], failed: 0 };
  const endAt = performance.now() + config.durationMs;
  const run = async (index: number) => {
    await new Promise((resolve) => setTimeout(resolve, (index * 3_000) / config.count));
    const { start, tick } = conversation(index);
    try {
      await timed(samples.start, start);
      while (performance.now() + 3_000 < endAt) {
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        await timed(samples.tick, tick);
      }
    } catch {
      samples.failed += 1;
    }
  };
  await Promise.all(Array.from({ length: config.count }, (_, index) => run(index)));
  return samples;
}

/** Each conversation with a client of its own, as each job process has. */
async function againstAttune(config: SimulatedAgentsConfig): Promise<SimulatedAgentsSamples> {
  const clients = config.participants.map(
    () =>
      new AgentApiClient({
        baseUrl: config.url,
        agentSecret: secret,
        timeoutMs: 10_000,
        retries: 0,
      }),
  );
  const sessions: (SessionApi | undefined)[] = [];
  const ticks = new Array<number>(config.count).fill(0);
  try {
    return await simulate(config, (index) => ({
      start: async () => {
        const answer = await clients[index]!.resolveParticipant(config.participants[index]!);
        if (answer.outcome !== 'resolved') throw new Error(answer.reason);
        sessions[index] = clients[index]!.forSession(answer.session.id, answer.credential);
      },
      tick: () => sessions[index]!.appendTurns(batchOf(index, (ticks[index] = ticks[index]! + 1))),
    }));
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
}

/** The same calls, bodies and connections against a server that does nothing but answer. */
async function againstBare(config: SimulatedAgentsConfig): Promise<SimulatedAgentsSamples> {
  const dispatchers = Array.from(
    { length: config.count },
    () => new Agent({ keepAliveTimeout: 4_000, connections: 32 }),
  );
  const post = (index: number, tick: number) => async () => {
    const response = await request(config.url, {
      method: 'POST',
      dispatcher: dispatchers[index],
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
      body: JSON.stringify({ turns: batchOf(index, tick) }),
    });
    await response.body.json();
  };
  try {
    return await simulate(config, (index) => ({ start: post(index, 0), tick: post(index, 1) }));
  } finally {
    await Promise.all(dispatchers.map((d) => d.close()));
  }
}

const config = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as SimulatedAgentsConfig;
const samples =
  config.target === 'attune' ? await againstAttune(config) : await againstBare(config);
process.stdout.write(`${JSON.stringify(samples)}\n`);
