// Child process of the agent benchmark: the memory of one job process with one live session.
// A LiveKit job process loads the framework and the agent's job module, builds the session's
// models (local VAD and turn detector, local speech, the OpenAI-compatible LLM plugin), resolves
// its participant through the internal agent API and talks; this does the same with the
// framework's FakeLLM in place of the model's answers. Run with --expose-gc; prints one JSON line.
//   node --expose-gc bench/agent-job-memory.mjs compiled <api-url> <participant-json>
//   node --expose-gc --conditions=@attune/source --import tsx bench/agent-job-memory.mjs sources …
import { inference, initializeLogger, voice } from '@livekit/agents';
import {
  AgentApiClient,
  TurnOutbox,
  UserMemory,
  createAssistant,
  loadAgentConfig,
  recordConversationTurns,
  resolveSessionUser,
  sessionModels,
} from '@attune/agent';

const [mode, apiUrl, participantJson] = process.argv.slice(2);
const secret = process.env.AGENT_API_SECRET ?? '';
const MB = 1024 * 1024;
const gc = globalThis.gc ?? (() => undefined);
const settle = async () => {
  for (let i = 0; i < 3; i += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().rss;
};

initializeLogger({ pretty: false, level: 'error' });
// What the framework loads into every job process: the agent's job module, compiled or not.
await import(
  new URL(mode === 'sources' ? '../agent/src/job.ts' : '../agent/dist/job.js', import.meta.url).href
);
const config = loadAgentConfig({
  SPEECH: 'local',
  LLM_BASE_URL: 'http://127.0.0.1:9/v1',
  ATTUNE_API_URL: apiUrl,
  AGENT_API_SECRET: secret,
});
const beforeSessionRss = await settle();

const client = new AgentApiClient({
  baseUrl: apiUrl,
  agentSecret: secret,
  timeoutMs: 5_000,
  retries: 1,
});
const participant = JSON.parse(participantJson);
const resolved = await resolveSessionUser(client, participant, participant.room_name);
if (!resolved.ok) throw new Error(`not resolved: ${resolved.reason}`);
const { user } = resolved;
const models = await sessionModels(config).conversation();
// The job's VAD runs on the user's audio; a stream makes it load its native model.
const vadStream = models.vad instanceof inference.VAD ? models.vad.stream() : undefined;
const session = new voice.AgentSession({
  ...models,
  llm: new voice.testing.FakeLLM([{ input: 'hello', content: 'Hello! How can I help?' }]),
});
const outbox = new TurnOutbox({
  send: (turns) => user.api.appendTurns(turns),
  log: { warn: () => undefined, error: () => undefined },
});
const memory = new UserMemory(user.api, outbox);
recordConversationTurns(session, memory);
await session.start({ agent: createAssistant({ user, memory, joinedAtMs: Date.now() }) });
await session.run({ userInput: 'hello' }).wait();
await outbox.close(5_000);
const withSessionRss = await settle();

process.stdout.write(
  `${JSON.stringify({
    mode,
    rssBeforeSessionMb: +(beforeSessionRss / MB).toFixed(1),
    rssWithOneSessionMb: +(withSessionRss / MB).toFixed(1),
  })}\n`,
);
vadStream?.close();
await session.close();
await client.close();
process.exit(0);
