import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { jobProcessNodeFlags, loadAgentConfig } from '@attune/agent';
import { type AgentApiBenchResult, benchAgentApi } from './agent-api.bench.ts';
import {
  DEFAULT_AGENT_CAPACITY_OPTIONS,
  benchAgentCapacity,
} from './agent-capacity/agent-capacity.bench.ts';
import { formatAgentCapacity } from './agent-capacity/format.ts';
import { benchAuthToken } from './auth-token.bench.ts';
import { benchSessions, sessionsTable } from './sessions.bench.ts';
import { benchWebClient } from './web-client.bench.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const SECTIONS = ['auth-token', 'agent-api', 'agent-capacity', 'sessions', 'web-client'] as const;
type Section = (typeof SECTIONS)[number];
/** `pnpm bench` runs every section; `pnpm bench sessions web-client` only those. */
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(SECTIONS as readonly string[]).includes(name));
if (unknown.length > 0) {
  console.error(`unknown bench section ${unknown.join(', ')}; sections: ${SECTIONS.join(', ')}`);
  process.exit(2);
}
const runs = (section: Section) => chosen.length === 0 || chosen.includes(section);

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
};
console.log(
  `pnpm bench${chosen.length > 0 ? ` ${chosen.join(' ')}` : ''}: ${rounds} rounds of ${durationSeconds} s per route, ${connections} connections, ${machine.cores} cores, Node ${machine.node}`,
);

if (runs('agent-api') || runs('agent-capacity')) {
  // The agent benchmarks run the compiled service and agent with plain node, as production does.
  console.log('building the compiled packages (pnpm build)');
  execFileSync('pnpm', ['-s', '-r', '--filter', '!@attune/web-client', 'run', 'build'], {
    stdio: 'inherit',
  });
}

const authToken = runs('auth-token')
  ? await benchAuthToken({ durationSeconds, connections, rounds })
  : undefined;
let agentApi;
if (runs('agent-api')) {
  console.log(
    'agent API: user-context load over 100,000 stored turns, one job process’s memory, and 1,000 conversations at once',
  );
  agentApi = await benchAgentApi({
    turns: 100_000,
    iterations: 2_000,
    conversations: 1_000,
    durationSeconds: 30,
  });
}
let agentCapacity;
if (runs('agent-capacity')) {
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
  agentCapacity = await benchAgentCapacity({ ...DEFAULT_AGENT_CAPACITY_OPTIONS, jobNodeFlags });
}
let sessions;
if (runs('sessions')) {
  console.log(
    'sessions: webhook ingestion, and the analytics report over 1,000,000 sessions (generating them takes a while)',
  );
  sessions = await benchSessions({
    webhookSessions: 5_000,
    concurrency: connections,
    analyticsSessions: 1_000_000,
  });
}
let webClient;
if (runs('web-client')) {
  console.log('web client: bundle sizes, serving the build, and page loads in headless Chromium');
  webClient = await benchWebClient({ durationSeconds, connections, loads: 15 });
}
const result = {
  date: new Date().toISOString(),
  machine,
  durationSeconds,
  rounds,
  connections,
  authToken,
  agentApi,
  agentCapacity,
  sessions,
  webClient,
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The agent API's figures, each beside its baseline of the same run. */
function agentApiTable(agentApi: AgentApiBenchResult): string[] {
  const { contextLoad: load, jobMemory: memory, conversations: many } = agentApi;
  const latency = (l: { p50Ms: number; p99Ms: number; calls: number; failed: number }) =>
    `p50 ${l.p50Ms} ms, p99 ${l.p99Ms} ms (${l.calls.toLocaleString('en-US')} calls, ${l.failed} failed)`;
  const rss = (m: { rssWithOneSessionMb: number; rssBeforeSessionMb: number }) =>
    `${m.rssWithOneSessionMb} MB (${m.rssBeforeSessionMb} MB before the session)`;
  return [
    `Agent API (the compiled auth service in a process of its own, on loopback):`,
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
const row = (
  name: string,
  r: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number },
) =>
  `| ${name} | ${r.requestsPerSecond.toLocaleString('en-US')} | ${r.latencyP50Ms} | ${r.latencyP99Ms} |`;
/** The report of the sections that ran, in their usual order. */
const table = [
  `Measured ${result.date} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}.`,
  '',
  ...(authToken
    ? [
        `autocannon -c ${connections} -d ${durationSeconds} on loopback, median of ${rounds} alternating runs per route.`,
        '',
        '| route | req/s | p50 ms | p99 ms |',
        '| --- | --- | --- | --- |',
        row('bare Hono JSON (same process)', authToken.bareHonoJson),
        row('POST /auth/token (bearer)', authToken.authToken),
        '',
        `Ratio /auth/token ÷ bare: **${authToken.ratio}** (runs, req/s: bare ${authToken.runs.bareHonoJson.join(', ')}; token ${authToken.runs.authToken.join(', ')})`,
        '',
      ]
    : []),
  ...(agentApi ? [...agentApiTable(agentApi), ''] : []),
  ...(agentCapacity ? [formatAgentCapacity(agentCapacity), ''] : []),
  ...(sessions ? [...sessionsTable(sessions), ''] : []),
  ...(webClient
    ? [
        'Web client:',
        '',
        '| measure | value |',
        '| --- | --- |',
        ...webClient.assets.map(
          (asset) => `| \`${asset.file}\` | ${kb(asset.bytes)} (${kb(asset.gzipBytes)} gzipped) |`,
        ),
        `| all JavaScript / all CSS, gzipped | ${kb(webClient.totals.js.gzipBytes)} / ${kb(webClient.totals.css.gzipBytes)} |`,
        row('GET /talk (the page, text/html)', webClient.serving.page).replace(
          /^\| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/,
          '| $1 | $2 req/s (p50 $3 ms, p99 $4 ms) |',
        ),
        row('GET /assets/<entry>.js', webClient.serving.script).replace(
          /^\| ([^|]+) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$/,
          '| $1 | $2 req/s (p50 $3 ms, p99 $4 ms) |',
        ),
        `| Chromium: open /sign-in until the form shows (fresh profile; median / worst of ${webClient.browser.loads}) | ${webClient.browser.signInPageMs.median} / ${webClient.browser.signInPageMs.max} ms |`,
        `| Chromium: press Sign in until the Talk page shows (bcrypt cost 4) | ${webClient.browser.signInToTalkMs.median} / ${webClient.browser.signInToTalkMs.max} ms |`,
        '',
      ]
    : []),
].join('\n');

// A full run replaces latest.*; a run of some sections writes <sections>.* beside it.
const name = chosen.length === 0 ? 'latest' : chosen.join('+');
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
writeFileSync(`${RESULTS_DIR}${name}.md`, table);
console.log(`\n${table}`);
console.log(`written to ${RESULTS_DIR}${name}.json and ${name}.md`);
