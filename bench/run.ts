import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAgentContext } from './agent-context.bench.ts';
import { benchAuthToken } from './auth-token.bench.ts';
import { benchSessions } from './sessions.bench.ts';
import { benchWebClient } from './web-client.bench.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const machine = {
  cores: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
};
console.log(
  `pnpm bench: ${rounds} rounds of ${durationSeconds} s per route, ${connections} connections, ${machine.cores} cores, Node ${machine.node}`,
);

const authToken = await benchAuthToken({ durationSeconds, connections, rounds });
console.log('agent: user-context load over 100,000 stored turns, and one session’s memory');
const agentContext = await benchAgentContext({ turns: 100_000, iterations: 2_000 });
console.log(
  'sessions: webhook ingestion, and the analytics report over 1,000,000 sessions (generating them takes a while)',
);
const sessions = await benchSessions({
  webhookSessions: 5_000,
  concurrency: connections,
  analyticsSessions: 1_000_000,
});
console.log('web client: bundle sizes, serving the build, and page loads in headless Chromium');
const webClient = await benchWebClient({ durationSeconds, connections, loads: 15 });
const result = {
  date: new Date().toISOString(),
  machine,
  durationSeconds,
  rounds,
  connections,
  authToken,
  agentContext,
  sessions,
  webClient,
};

mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}latest.json`, `${JSON.stringify(result, null, 2)}\n`);

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const row = (
  name: string,
  r: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number },
) =>
  `| ${name} | ${r.requestsPerSecond.toLocaleString('en-US')} | ${r.latencyP50Ms} | ${r.latencyP99Ms} |`;
const table = [
  `Measured ${result.date} on ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; autocannon -c ${connections} -d ${durationSeconds} on loopback, median of ${rounds} alternating runs per route.`,
  '',
  '| route | req/s | p50 ms | p99 ms |',
  '| --- | --- | --- | --- |',
  row('bare Hono JSON (same process)', authToken.bareHonoJson),
  row('POST /auth/token (bearer)', authToken.authToken),
  '',
  `Ratio /auth/token ÷ bare: **${authToken.ratio}** (runs, req/s: bare ${authToken.runs.bareHonoJson.join(', ')}; token ${authToken.runs.authToken.join(', ')})`,
  '',
  `Agent, one user with ${agentContext.turns.toLocaleString('en-US')} stored turns and ${agentContext.preferences} preferences (${agentContext.iterations.toLocaleString('en-US')} loads):`,
  '',
  '| measure | value |',
  '| --- | --- |',
  `| user-context load (preferences + bounded history + instructions), p50 | ${agentContext.contextLoadP50Ms} ms |`,
  `| user-context load, p99 | ${agentContext.contextLoadP99Ms} ms |`,
  `| user-context load, max | ${agentContext.contextLoadMaxMs} ms |`,
  `| history turns in the instructions / instruction size | ${agentContext.historyTurnsLoaded} turns / ${agentContext.instructionsChars.toLocaleString('en-US')} chars |`,
  `| job process RSS with one live session (framework, local VAD, database) | ${agentContext.memory.processRssWithOneSessionMb} MB |`,
  `| heap of the first session in that process | ${agentContext.memory.firstSessionHeapMb} MB |`,
  `| heap of each further session in the same process | ${agentContext.memory.marginalSessionHeapMb} MB |`,
  '',
  'Sessions:',
  '',
  '| measure | value |',
  '| --- | --- |',
  `| LiveKit webhook events ingested (${sessions.webhooks.events.toLocaleString('en-US')} signed events, ${sessions.webhooks.concurrency} in flight) | ${sessions.webhooks.eventsPerSecond.toLocaleString('en-US')} events/s (p50 ${sessions.webhooks.latencyP50Ms} ms, p99 ${sessions.webhooks.latencyP99Ms} ms, ${sessions.webhooks.failed} failed) |`,
  `| analytics report over ${sessions.analytics.sessions.toLocaleString('en-US')} sessions, by day / user / room (query) | ${sessions.analytics.queryMs.day} / ${sessions.analytics.queryMs.user} / ${sessions.analytics.queryMs.room} ms |`,
  `| GET /analytics/sessions?group_by=day over all of them (worker thread + JSON) | ${sessions.analytics.apiMs} ms |`,
  '',
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
].join('\n');
writeFileSync(`${RESULTS_DIR}latest.md`, table);
console.log(`\n${table}`);
console.log(`written to ${RESULTS_DIR}latest.json and latest.md`);
