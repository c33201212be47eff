/**
 * Child process of the agent benchmark: how much memory one assistant session takes. The agent
 * runs one job process per session, so the process's resident size with one live session is the
 * honest per-session cost; a few more sessions in the same process give the marginal cost.
 * Prints one JSON line. Run with --expose-gc.
 */
import { inference, voice } from '@livekit/agents';
import { type SessionUser, UserMemory, createAssistant } from '@attune/agent';
import {
  RecordingFakeLLM,
  initializeQuietAgentLogger,
  textOnlySession,
} from '@attune/agent/testing';
import { openDatabase } from '@attune/db';

const [databasePath, userJson, extraSessionsArg] = process.argv.slice(2);
const user = JSON.parse(userJson!) as SessionUser;
const extraSessions = Number(extraSessionsArg ?? 4);
const limits = { historyMaxTurns: 40, historyMaxChars: 4_000, maxPreferences: 100 };
const MB = 1024 * 1024;

const gc = globalThis.gc ?? (() => undefined);
const settle = async () => {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
};

initializeQuietAgentLogger();
const database = openDatabase(databasePath!);
// A job runs the local VAD on the user's audio; a stream makes it load its native model.
const vadStream = new inference.VAD().stream();
const baseline = await settle();

async function startSession(): Promise<voice.AgentSession> {
  const model = new RecordingFakeLLM([{ input: 'hello', content: 'Hello! How can I help?' }]);
  const session = textOnlySession(model);
  const memory = new UserMemory(database, user, limits);
  await session.start({ agent: createAssistant({ user, memory, joinedAtMs: Date.now() }) });
  await session.run({ userInput: 'hello' }).wait();
  return session;
}

const sessions = [await startSession()];
const one = await settle();
for (let i = 0; i < extraSessions; i += 1) sessions.push(await startSession());
const many = await settle();
await Promise.all(sessions.map((s) => s.close()));
vadStream.close();
database.close();

console.log(
  JSON.stringify({
    processRssWithOneSessionMb: +(one.rss / MB).toFixed(1),
    processRssBeforeSessionMb: +(baseline.rss / MB).toFixed(1),
    firstSessionHeapMb: +((one.heapUsed - baseline.heapUsed) / MB).toFixed(2),
    marginalSessionHeapMb: +((many.heapUsed - one.heapUsed) / MB / extraSessions).toFixed(2),
    marginalSessionRssMb: +((many.rss - one.rss) / MB / extraSessions).toFixed(2),
  }),
);
process.exit(0);
