// Runs on an agent host of the multi-host test, as an unprivileged user: one scripted conversation
// (the framework's session harness and FakeLLM, no LiveKit server) for the participant it is
// given, storing everything through the auth service's internal agent API on another host.
// It talks with the test over stdio: it prints one JSON line per phase, and waits for a line on
// stdin before the next phase, so the test can stop and restart the auth service in between.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  AgentApiClient,
  TurnOutbox,
  UserMemory,
  createAssistant,
  recordConversationTurns,
  resolveSessionUser,
} from '@attune/agent';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  textOnlySession,
  toolOutput,
} from '@attune/agent/testing';

interface Participant {
  name: string;
  room_name: string;
  identity: string;
  attributes: Record<string, string>;
}

const participant = JSON.parse(process.env.PARTICIPANT ?? '{}') as Participant;
const otherUserId = process.env.OTHER_USER_ID ?? '';
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const waitForTheTest = async () => {
  await lines.next();
};

/** What the test asks this host to prove first: the database is not within its reach. */
function databaseReadError(): string {
  try {
    readFileSync(process.env.DATABASE_FILE ?? '');
    return 'readable';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code ?? 'error';
  }
}

initializeQuietAgentLogger();
const client = new AgentApiClient({
  baseUrl: process.env.ATTUNE_API_URL ?? '',
  agentSecret: process.env.AGENT_API_SECRET ?? '',
  timeoutMs: 1_000,
  retries: 1,
  retryDelayMs: 50,
});
const resolved = await resolveSessionUser(client, participant, participant.room_name);
if (!resolved.ok) {
  say({ phase: 'refused', reason: resolved.reason, detail: resolved.detail });
  process.exit(1);
}
const { user } = resolved;
const joinedAtMs = Date.now();
await user.api.join(joinedAtMs);

const { name } = participant;
const saved = `Saved: favourite colour is ${name} blue.`;
const model = new RecordingFakeLLM([
  {
    input: `Remember that my favourite colour is ${name} blue`,
    // The model also names the other user, as a prompt injection would: it must not matter.
    toolCalls: [
      {
        name: 'remember_preference',
        args: { key: 'favourite colour', value: `${name} blue`, user_id: otherUserId },
      },
    ],
  },
  { input: toolOutput(saved), content: `I will remember that, ${name}.` },
  ...[1, 2, 3, 4].map((n) => ({ input: `${name} says ${n}`, content: `${name} hears ${n}` })),
]);
const outbox = new TurnOutbox({
  send: (turns) => user.api.appendTurns(turns),
  log: {
    warn: () => undefined,
    error: (fields, message) => say({ phase: 'error', message, fields }),
  },
  retryDelayMs: 100,
  maxRetryDelayMs: 500,
});
const memory = new UserMemory(user.api, outbox);
const session = textOnlySession(model);
recordConversationTurns(session, memory);
await session.start({ agent: createAssistant({ user, memory, joinedAtMs }) });

const waitForOutbox = async () => {
  while (outbox.pending > 0) await new Promise((resolve) => setTimeout(resolve, 20));
};

// Phase 1, with the service up: a preference and two turns, stored as they happen.
await session.run({ userInput: `Remember that my favourite colour is ${name} blue` }).wait();
await session.run({ userInput: `${name} says 1` }).wait();
await waitForOutbox();
say({ phase: 'talked', sessionId: user.sessionId, databaseRead: databaseReadError() });

// Phase 2, while the test has stopped the service: the conversation goes on, turns wait.
await waitForTheTest();
await session.run({ userInput: `${name} says 2` }).wait();
await session.run({ userInput: `${name} says 3` }).wait();
say({ phase: 'buffered', pending: outbox.pending });

// Phase 3, the service is back: one more turn, then everything is flushed and the end recorded.
await waitForTheTest();
await session.run({ userInput: `${name} says 4` }).wait();
const unsent = await outbox.close(30_000);
const ended = await user.api.end({
  reason: 'user_initiated',
  joined_at_ms: joinedAtMs,
  ended_at_ms: Date.now(),
});
await session.close();
await client.close();
say({ phase: 'done', unsent, counts: outbox.counts, ended: ended.recorded });
process.exit(0);
