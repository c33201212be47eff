/**
 * Child process of the webhook benchmark: signs one joined and one left event per session the
 * way livekit-server does (before the clock starts), then POSTs them with `concurrency` requests
 * in flight and prints one JSON line. Runs apart from the server so neither shares an event loop.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { signWebhook, webhookEvent } from '@attune/auth-service/testing';

interface Target {
  room: string;
  identity: string;
  sessionId: string;
}

const [baseUrl, apiKey, apiSecret, targetsFile, concurrencyArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const targets = JSON.parse(readFileSync(targetsFile, 'utf8')) as Target[];
const concurrency = Number(concurrencyArg);
const startS = 1_790_000_000;

const signed: { body: string; headers: Record<string, string> }[] = [];
for (const [i, t] of targets.entries()) {
  const participant = {
    identity: t.identity,
    attributes: { 'attune.user_id': t.identity, 'attune.session_id': t.sessionId },
    joinedAtMs: (startS + i) * 1000,
  };
  for (const [event, at] of [
    ['participant_joined', startS + i],
    ['participant_left', startS + i + 60 + (i % 600)],
  ] as const) {
    signed.push(
      await signWebhook(
        webhookEvent({ event, room: t.room, createdAtSeconds: at, participant }),
        apiKey,
        apiSecret,
      ),
    );
  }
}

const url = new URL('/livekit/webhook', baseUrl);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
function post(item: (typeof signed)[number]): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: item.headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(item.body);
  });
}

const latencies: number[] = [];
let next = 0;
let failed = 0;
const started = process.hrtime.bigint();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < signed.length) {
      const item = signed[next++]!;
      const sent = process.hrtime.bigint();
      if ((await post(item)) !== 200) failed += 1;
      latencies.push(Number(process.hrtime.bigint() - sent) / 1e6);
    }
  }),
);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
latencies.sort((a, b) => a - b);
const at = (p: number) =>
  Math.round(
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! * 10,
  ) / 10;
console.log(
  JSON.stringify({
    events: signed.length,
    failed,
    seconds: Math.round(seconds * 100) / 100,
    eventsPerSecond: Math.round(signed.length / seconds),
    latencyP50Ms: at(50),
    latencyP99Ms: at(99),
  }),
);
agent.destroy();
