// The client host of the multi-replica test: sends the HTTP requests a JSON file lists, with a
// number of them in flight at once, each from the local address it names (the host has several,
// so per-IP limits can be spent on one address and not another), requests of one chain strictly
// one after another, and writes every answer (status and body, in the order of the list) to a
// JSON file. Connection failures are answers too (status
// 0). Prints `{"phase":"progress","done":n}` as answers come in and `{"phase":"done"}` at the end.
//   node --import tsx request-client.ts <plan.json> <answers.json>
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { z } from 'zod';

export const requestPlanSchema = z.object({
  baseUrl: z.url(),
  concurrency: z.number().int().positive(),
  /** A progress line after every this many answers. */
  progressEvery: z.number().int().positive().default(50),
  requests: z.array(
    z.object({
      method: z.string(),
      path: z.string().startsWith('/'),
      headers: z.record(z.string(), z.string()).default({}),
      body: z.string().optional(),
      /** The client address to send from (one of this host's). */
      from: z.string().optional(),
      /**
       * Requests of one chain go one after another, in the list's order, each once the previous
       * one is answered (e.g. one session's events, in order); chains run side by side.
       */
      chain: z.string().optional(),
    }),
  ),
});
export type RequestPlan = z.input<typeof requestPlanSchema>;

export interface Answer {
  status: number;
  body: string;
}

const [planFile, answersFile] = process.argv.slice(2);
if (!planFile || !answersFile)
  throw new Error('usage: request-client.ts <plan.json> <answers.json>');
const plan = requestPlanSchema.parse(JSON.parse(readFileSync(planFile, 'utf8')));

// Keep-alive connections per client address, as a browser (or many) would hold them.
const agents = new Map<string, Agent>();
const agentFor = (from: string | undefined) => {
  const key = from ?? '';
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({
      keepAlive: true,
      maxSockets: plan.concurrency,
      ...(from ? { localAddress: from } : {}),
    });
    agents.set(key, agent);
  }
  return agent;
};

function send(item: (typeof plan.requests)[number]): Promise<Answer> {
  return new Promise((resolve) => {
    const req = request(
      new URL(item.path, plan.baseUrl),
      { method: item.method, agent: agentFor(item.from), headers: item.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', (error) => resolve({ status: 0, body: error.message }));
      },
    );
    req.on('error', (error) => resolve({ status: 0, body: error.message }));
    req.end(item.body);
  });
}

// What the workers take one at a time: a chain's requests, or a request of no chain alone.
const work: number[][] = [];
const chains = new Map<string, number[]>();
plan.requests.forEach((item, index) => {
  if (item.chain === undefined) return void work.push([index]);
  let chain = chains.get(item.chain);
  if (!chain) {
    chain = [];
    chains.set(item.chain, chain);
    work.push(chain);
  }
  chain.push(index);
});

const answers: Answer[] = new Array<Answer>(plan.requests.length);
let next = 0;
let done = 0;
await Promise.all(
  Array.from({ length: plan.concurrency }, async () => {
    while (next < work.length) {
      for (const index of work[next++]!) {
        answers[index] = await send(plan.requests[index]!);
        done += 1;
        if (done % plan.progressEvery === 0)
          console.log(JSON.stringify({ phase: 'progress', done }));
      }
    }
  }),
);
writeFileSync(answersFile, JSON.stringify(answers));
for (const agent of agents.values()) agent.destroy();
console.log(JSON.stringify({ phase: 'done', done }));
