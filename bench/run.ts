import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchAuthToken } from './auth-token.bench.ts';

const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));
const durationSeconds = Number(process.env.BENCH_DURATION_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);

const machine = { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version };
console.log(`pnpm bench: ${rounds} rounds of ${durationSeconds} s per route, ${connections} connections, ${machine.cores} cores, Node ${machine.node}`);

const authToken = await benchAuthToken({ durationSeconds, connections, rounds });
const result = { date: new Date().toISOString(), machine, durationSeconds, rounds, connections, authToken };

mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(`${RESULTS_DIR}latest.json`, `${JSON.stringify(result, null, 2)}\n`);

const row = (name: string, r: { requestsPerSecond: number; latencyP50Ms: number; latencyP99Ms: number }) =>
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
].join('\n');
writeFileSync(`${RESULTS_DIR}latest.md`, table);
console.log(`\n${table}`);
console.log(`written to ${RESULTS_DIR}latest.json and latest.md`);
