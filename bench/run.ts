import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jobProcessNodeFlags, loadAgentConfig } from '@attune/agent';
import { benchAgentApi } from './agent-api.bench.ts';
import {
  DEFAULT_AGENT_CAPACITY_OPTIONS,
  benchAgentCapacity,
} from './agent-capacity/agent-capacity.bench.ts';
import { formatAgentCapacity } from './agent-capacity/format.ts';
import { benchAuthToken } from './auth-token.bench.ts';
import { benchRateLimitStore } from './rate-limit-store.bench.ts';
import { benchSessions, sessionsRows } from './sessions.bench.ts';
import { benchWebClient } from './web-client.bench.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

/** The parts `pnpm bench <part>…` can run alone; with no part named, all of them run. */
const PARTS = [
  'token',
  'rate-limits',
  'agent-api',
  'agent-capacity',
  'sessions',
  'web-client',
] as const;
type Part = (typeof PARTS)[number];
const named = process.argv.slice(2);
const unknown = named.filter((part) => !(PARTS as readonly string[]).includes(part));
if (unknown.length > 0) {
  console.error(`pnpm bench: no part named ${unknown.join(', ')}; the parts: ${PARTS.join(', ')}`);
  process.exit(2);
}
const parts = new Set<Part>(named.length > 0 ? (named as Part[]) : PARTS);

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
};
console.log(
  `pnpm bench ${[...parts].join(' ')}: ${rounds} rounds of ${durationSeconds} s per route, ${connections} connections, ${machine.cores} cores, Node ${machine.node}`,
);

// The agent benchmarks run the compiled service and agent with plain node, as production does.
console.log('building the compiled packages (pnpm build)');
execFileSync('pnpm', ['-s', '-r', '--filter', '!@attune/web-client', 'run', 'build'], {
  stdio: 'inherit',
});

interface Results {
  date: string;
  machine: typeof machine;
  durationSeconds: number;
  rounds: number;
  connections: number;
  /** When each part was last measured: a run of some parts keeps the others' figures. */
  measuredAt?: Partial<Record<Part, string>>;
  authToken?: Awaited<ReturnType<typeof benchAuthToken>>;
  rateLimits?: Awaited<ReturnType<typeof benchRateLimitStore>>;
  agentApi?: Awaited<ReturnType<typeof benchAgentApi>>;
  agentCapacity?: Awaited<ReturnType<typeof benchAgentCapacity>>;
  sessions?: Awaited<ReturnType<typeof benchSessions>>;
  webClient?: Awaited<ReturnType<typeof benchWebClient>>;
}
const previous: Partial<Results> = existsSync(`${RESULTS_DIR}latest.json`)
  ? (JSON.parse(readFileSync(`${RESULTS_DIR}latest.json`, 'utf8')) as Partial<Results>)
  : {};
const date = new Date().toISOString();
const result: Results = {
  ...previous,
  date,
  machine,
  durationSeconds,
  rounds,
  connections,
  measuredAt: { ...previous.measuredAt },
};
const measured = (part: Part) => (result.measuredAt![part] = date);

if (parts.has('token')) {
  console.log(
    'token: POST /auth/token beside a bare Hono JSON POST and a LiveKit sample token server',
  );
  result.authToken = await benchAuthToken({
    durationSeconds,
    connections,
    rounds,
    profileDir: process.env.BENCH_CPU_PROFILE_DIR,
  });
  measured('token');
}
if (parts.has('rate-limits')) {
  console.log('rate limits: one count in memory and in Redis (a throwaway redis-server)');
  result.rateLimits = await benchRateLimitStore({
    hits: 50_000,
    concurrency: connections,
    durationSeconds,
    rounds,
  });
  measured('rate-limits');
}
if (parts.has('agent-api')) {
  console.log(
    'agent API: user-context load over 100,000 stored turns, one job process’s memory, and 1,000 conversations at once',
  );
  result.agentApi = await benchAgentApi({
    turns: 100_000,
    iterations: 2_000,
    conversations: 1_000,
    durationSeconds: 30,
  });
  measured('agent-api');
}
if (parts.has('agent-capacity')) {
  console.log(
    'agent capacity: conversations per host with real VAD and turn detection (a few minutes)',
  );
  const jobNodeFlags = jobProcessNodeFlags(
    loadAgentConfig({
      SPEECH: 'local',
      LLM_BASE_URL: 'http://127.0.0.1:9/v1',
      AGENT_API_SECRET: 'x'.repeat(32),
    }).worker.jobSemiSpaceMb,
  );
  result.agentCapacity = await benchAgentCapacity({
    ...DEFAULT_AGENT_CAPACITY_OPTIONS,
    jobNodeFlags,
  });
  measured('agent-capacity');
}
if (parts.has('sessions')) {
  console.log(
    'sessions: webhook ingestion, and the analytics report over 1,000,000 sessions (generating them takes a while)',
  );
  result.sessions = await benchSessions({
    webhookSessions: 5_000,
    concurrency: connections,
    analyticsSessions: 1_000_000,
  });
  measured('sessions');
}
if (parts.has('web-client')) {
  console.log('web client: bundle sizes, serving the build, and page loads in headless Chromium');
  result.webClient = await benchWebClient({ durationSeconds, connections, loads: 15 });
  measured('web-client');
}

mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}latest.json`, `${JSON.stringify(result, null, 2)}\n`);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const since = (part: Part) => {
  const at = result.measuredAt?.[part] ?? previous.date;
  return at && at !== date ? ` (measured ${at}, in an earlier run)` : '';
};
const row = (
  name: string,
  r: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number },
) =>
  `| ${name} | ${r.requestsPerSecond.toLocaleString('en-US')} | ${r.latencyP50Ms} | ${r.latencyP99Ms} |`;

/** POST /auth/token beside its two baselines of the same run. */
function tokenTable(token: NonNullable<Results['authToken']>): string[] {
  const lines = [
    `Token route${since('token')}: autocannon -c ${connections} -d ${durationSeconds} on loopback, median of ${rounds} alternating runs per server; each server compiled, in a process of its own.`,
    '',
    '| route | req/s | p50 ms | p99 ms |',
    '| --- | --- | --- | --- |',
    row('bare Hono JSON POST reading a `{}` body', token.bareHonoJson),
  ];
  // Results from before the baselines ran in processes of their own have no sample server.
  if (token.livekitSample)
    lines.push(
      row(
        'LiveKit sample token server (Express + AccessToken.toJwt, no auth, no DB)',
        token.livekitSample,
      ),
    );
  lines.push(row('POST /auth/token (bearer, SQLite)', token.authToken));
  if (token.authTokenPostgres)
    lines.push(row('POST /auth/token (bearer, PostgreSQL on loopback)', token.authTokenPostgres));
  lines.push('');
  if (token.cpuMicrosPerRequest) {
    const cpu = token.cpuMicrosPerRequest;
    lines.push(
      `CPU per request (user + system, all runs): bare ${cpu.bareHonoJson} µs, sample server ${cpu.livekitSample} µs, /auth/token ${cpu.authToken} µs${cpu.authTokenPostgres ? ` (on PostgreSQL ${cpu.authTokenPostgres} µs in the service, plus PostgreSQL's own)` : ''}.`,
      '',
    );
  }
  lines.push(
    `Ratio /auth/token ÷ bare: **${token.ratio}**${token.livekitSample ? `; sample server ÷ bare: ${token.sampleRatio}` : ''}${token.postgresRatio ? `; on PostgreSQL ÷ bare: ${token.postgresRatio}` : ''} (runs, req/s: ${Object.entries(
      token.runs,
    )
      .map(([name, runs]) => `${name} ${runs.join(', ')}`)
      .join('; ')})`,
  );
  return lines;
}

/** One rate-limit count in memory and in Redis, and a route that counts twice. */
function rateLimitsTable(rateLimits: NonNullable<Results['rateLimits']>): string[] {
  return [
    `Rate limits${since('rate-limits')} (one count; Redis on loopback):`,
    '',
    '| measure | memory | Redis |',
    '| --- | --- | --- |',
    `| one count at a time, µs | ${rateLimits.sequentialUs.memoryStore} (the synchronous window alone: ${rateLimits.sequentialUs.fixedWindowSync}) | ${rateLimits.sequentialUs.redisStore} (**${rateLimits.ratioRedisToMemory}×**) |`,
    `| counts/s, ${rateLimits.concurrency} in flight | ${rateLimits.concurrentPerSecond.memoryStore.toLocaleString('en-US')} | ${rateLimits.concurrentPerSecond.redisStore.toLocaleString('en-US')} |`,
    `| GET /auth/me (two counts each), req/s, p99 ms | ${rateLimits.http.memory.requestsPerSecond.toLocaleString('en-US')}, ${rateLimits.http.memory.latencyP99Ms} | ${rateLimits.http.redis.requestsPerSecond.toLocaleString('en-US')}, ${rateLimits.http.redis.latencyP99Ms} (**${rateLimits.http.ratioRedisToMemory}×**) |`,
  ];
}

/** The agent API's figures, each beside its baseline of the same run. */
function agentApiTable(agentApi: NonNullable<Results['agentApi']>): string[] {
  const { contextLoad: load, jobMemory: memory, conversations: many } = agentApi;
  const latency = (l: { p50Ms: number; p99Ms: number; calls: number; failed: number }) =>
    `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms (${l.calls.toLocaleString('en-US')} calls, ${l.failed} failed)`;
  const rss = (m: { rssWithOneSessionMb: number; rssBeforeSessionMb: number }) =>
    `${m.rssWithOneSessionMb} MB (${m.rssBeforeSessionMb} MB before the session)`;
  return [
    `Agent API${since('agent-api')} (the compiled auth service in a process of its own, on loopback):`,
    '',
    '| measure | value |',
    '| --- | --- |',
    `| user-context load (resolve a participant with ${load.turnsStored.toLocaleString('en-US')} stored turns and ${load.preferences} preferences; ${load.historyTurnsLoaded} turns come back), one at a time | ${latency(load)}, max ${load.maxMs} ms |`,
    `| job process with one live session, compiled, with the job processes' flags (${memory.compiled.flags.join(' ') || 'none'}) | ${rss(memory.compiled)} |`,
    `| the same with Node's default heap | ${rss(memory.compiledDefaultHeap)} |`,
    `| the same from the sources under tsx (how it ran before) | ${rss(memory.sources)} |`,
    `| ${many.count.toLocaleString('en-US')} conversations at once for ${many.durationSeconds} s (each resolves once, then appends 2 turns every 3 s): every call | ${latency(many.all)} |`,
    `| of which resolving / appending turns | ${latency(many.resolve)} / ${latency(many.appendTurns)} |`,
    `| the auth service's CPU meanwhile | ${many.serviceCpuPercent}% of one core |`,
    `| baseline: a bare Hono JSON POST server given the same load | ${latency(many.bare.all)}, ${many.bare.serverCpuPercent}% of one core |`,
  ];
}

function sessionsTable(sessions: NonNullable<Results['sessions']>): string[] {
  return [`Sessions${since('sessions')}:`, '', ...sessionsRows(sessions)];
}

function webClientTable(webClient: NonNullable<Results['webClient']>): string[] {
  const asRate = (line: string) =>
    line.replace(
      /^\| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/,
      '| $1 | $2 req/s (p50 $3 ms, p99 $4 ms) |',
    );
  return [
    `Web client${since('web-client')}:`,
    '',
    '| measure | value |',
    '| --- | --- |',
    ...webClient.assets.map(
      (asset) => `| \`${asset.file}\` | ${kb(asset.bytes)} (${kb(asset.gzipBytes)} gzipped) |`,
    ),
    `| all JavaScript / all CSS, gzipped | ${kb(webClient.totals.js.gzipBytes)} / ${kb(webClient.totals.css.gzipBytes)} |`,
    asRate(row('GET /talk (the page, text/html)', webClient.serving.page)),
    asRate(row('GET /assets/<entry>.js', webClient.serving.script)),
    `| Chromium: open /sign-in until the form shows (fresh profile; median / worst of ${webClient.browser.loads}) | ${webClient.browser.signInPageMs.median} / ${webClient.browser.signInPageMs.max} ms |`,
    `| Chromium: press Sign in until the Talk page shows (bcrypt cost 4) | ${webClient.browser.signInToTalkMs.median} / ${webClient.browser.signInToTalkMs.max} ms |`,
  ];
}

const sections: string[][] = [
  [`Measured ${date} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}.`],
];
if (result.authToken) sections.push(tokenTable(result.authToken));
if (result.rateLimits) sections.push(rateLimitsTable(result.rateLimits));
if (result.agentApi) sections.push(agentApiTable(result.agentApi));
if (result.agentCapacity)
  sections.push([
    ...(since('agent-capacity') ? [`Agent capacity${since('agent-capacity')}:`, ''] : []),
    formatAgentCapacity(result.agentCapacity),
  ]);
if (result.sessions) sections.push(sessionsTable(result.sessions));
if (result.webClient) sections.push(webClientTable(result.webClient));
const table = `${sections.map((lines) => lines.join('\n')).join('\n\n')}\n`;
writeFileSync(`${RESULTS_DIR}latest.md`, table);
console.log(`\n${table}`);
console.log(`written to ${RESULTS_DIR}latest.json and latest.md`);
