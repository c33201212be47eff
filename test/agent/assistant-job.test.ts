// runAssistantJob, the whole of one LiveKit job, against the real auth service. The room is the
// one part that needs a LiveKit server (not installable here): a stand-in job context hands the
// code a participant and the room's events, and starts sessions without a room.
import { EventEmitter } from 'node:events';
import { voice } from '@livekit/agents';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AgentApiClient,
  type AssistantJobContext,
  EspeakTTS,
  type ParticipantLike,
  type SessionModels,
  refusalMessage,
  runAssistantJob,
} from '@attune/agent';
import {
  CapturingAudioOutput,
  RecordingFakeLLM,
  durationSeconds,
  initializeQuietAgentLogger,
} from '@attune/agent/testing';
import {
  type TestServer,
  mintParticipant,
  registerUser,
  startTestServer,
} from '@attune/auth-service/testing';
import { findUserSession, setUserStatus } from '@attune/db';
import { snapshotTables } from '@attune/db/testing';
import { agentClientOf, storedTurnsOf } from './agent-fixtures.ts';

// LiveKit's DisconnectReason values, as job.ts hands them to the end-reason tracker.
const CLIENT_INITIATED = 1;
const PARTICIPANT_REMOVED = 4;
const ROOM_DELETED = 5;
const CONNECTION_TIMEOUT = 14;

/** What job.ts's liveKitJob gives the job, with the room replaced by events a test emits. */
class StandInJob implements AssistantJobContext {
  readonly room = new EventEmitter();
  readonly sessions: {
    session: voice.AgentSession;
    listen: boolean;
    speaker: CapturingAudioOutput;
  }[] = [];
  readonly shutdowns: string[] = [];

  constructor(
    readonly roomName: string,
    private readonly participant: ParticipantLike,
  ) {}

  connect = () => Promise.resolve();
  waitForParticipant = () => Promise.resolve(this.participant);

  async startSession(
    session: voice.AgentSession,
    agent: voice.Agent,
    _participant: ParticipantLike,
    { listen }: { listen: boolean },
  ): Promise<void> {
    const speaker = new CapturingAudioOutput();
    session.output.audio = speaker;
    this.sessions.push({ session, listen, speaker });
    await session.start({ agent });
  }

  endReasonSources = {
    onRoomDisconnected: (l: (reason: number | undefined) => void) =>
      this.room.on('disconnected', l),
    onParticipantDisconnected: (l: (identity: string, reason: number | undefined) => void) =>
      this.room.on('participantDisconnected', l),
    onParticipantConnected: (l: (identity: string) => void) =>
      this.room.on('participantConnected', l),
    onShutdownRequest: (l: () => void) => this.room.on('shutdownRequest', l),
  };

  disconnectReasons = {
    roomDeleted: ROOM_DELETED,
    closedByFramework: new Set([CLIENT_INITIATED]),
    endNow: new Set([PARTICIPANT_REMOVED]),
  };

  shutdown(reason: string): void {
    this.shutdowns.push(reason);
  }

  get conversation(): voice.AgentSession {
    const first = this.sessions[0];
    if (!first) throw new Error('no session was started');
    return first.session;
  }
}

let server: TestServer;
let client: AgentApiClient;
let jobs: StandInJob[] = [];

beforeAll(async () => {
  initializeQuietAgentLogger();
  server = await startTestServer();
  client = agentClientOf(server);
});
afterEach(async () => {
  await Promise.all(jobs.flatMap((job) => job.sessions.map(({ session }) => session.close())));
  jobs = [];
});
afterAll(async () => {
  await client.close();
  await server.close();
});

/** A scripted model for conversations and espeak-ng for the refusal's one sentence. */
function standInModels(model: RecordingFakeLLM): SessionModels {
  return {
    conversation: () =>
      Promise.resolve({ llm: model, vad: null, turnHandling: { turnDetection: null } }),
    refusal: () =>
      Promise.resolve({ tts: new EspeakTTS(), vad: null, turnHandling: { turnDetection: null } }),
  };
}

async function startJob(input: {
  participant?: ParticipantLike & { room_name: string };
  model?: RecordingFakeLLM;
  reconnectWindowMs?: number;
  api?: AgentApiClient;
}) {
  // A participant of a new user, unless the test brings its own.
  const account = input.participant
    ? null
    : await registerUser(server, { full_name: 'Grace Hopper' });
  const participant = input.participant ?? (await mintParticipant(server, account!.accessToken));
  const job = new StandInJob(participant.room_name, participant);
  jobs.push(job);
  const model = input.model ?? new RecordingFakeLLM();
  await runAssistantJob(job, {
    api: input.api ?? client,
    models: standInModels(model),
    reconnectWindowMs: input.reconnectWindowMs ?? 60_000,
  });
  const userId = participant.identity;
  return {
    job,
    account: { id: userId },
    model,
    sessionId: participant.attributes['attune.session_id'] ?? '',
  };
}

const turnsOf = (sessionId: string) => storedTurnsOf(server, sessionId);

describe('one job of the agent', () => {
  it('resolves the participant, records the join, talks, and stores the turns before the end', async () => {
    const model = new RecordingFakeLLM([{ input: 'Hello there', content: 'Hello, Grace.' }]);
    const { job, account, sessionId } = await startJob({ model });
    expect(job.sessions).toHaveLength(1);
    expect(job.sessions[0]?.listen).toBe(true);
    expect(findUserSession(server.database.db, account.id, sessionId)?.status).toBe('active');
    await vi.waitFor(() => expect(model.requests.length).toBeGreaterThan(0));
    expect(JSON.stringify(model.requests[0]?.toJSON())).toContain('Grace Hopper');

    await job.conversation.run({ userInput: 'Hello there' }).wait();
    // What the framework does when the participant leaves: it closes the session.
    job.room.emit('participantDisconnected', account.id, CLIENT_INITIATED);
    await job.conversation.close();

    await vi.waitFor(() => expect(job.shutdowns).toEqual(['session closed: user_initiated']));
    expect(findUserSession(server.database.db, account.id, sessionId)).toMatchObject({
      status: 'ended',
      endReason: 'user_initiated',
      endSource: 'agent',
    });
    expect(turnsOf(sessionId)).toEqual([
      { role: 'user', text: 'Hello there' },
      { role: 'assistant', text: 'Hello, Grace.' },
    ]);
  });

  it('records job_shutdown when the worker stops the job, though the framework says user_initiated', async () => {
    const { job, account, sessionId } = await startJob({});
    job.room.emit('shutdownRequest');
    await job.conversation.close();
    await vi.waitFor(() => expect(job.shutdowns).toEqual(['session closed: job_shutdown']));
    expect(findUserSession(server.database.db, account.id, sessionId)?.endReason).toBe(
      'job_shutdown',
    );
  });

  it('records room_deleted when the room was deleted on the server', async () => {
    const { job, account, sessionId } = await startJob({});
    job.room.emit('disconnected', ROOM_DELETED);
    await job.conversation.close();
    await vi.waitFor(() => expect(job.shutdowns).toHaveLength(1));
    expect(findUserSession(server.database.db, account.id, sessionId)?.endReason).toBe(
      'room_deleted',
    );
  });

  it('ends the conversation of a participant who dropped and did not come back in time', async () => {
    const { job, account, sessionId } = await startJob({ reconnectWindowMs: 50 });
    job.room.emit('participantDisconnected', account.id, CONNECTION_TIMEOUT);
    // Nothing closes the session here but the job itself.
    await vi.waitFor(() => expect(job.shutdowns).toEqual(['session closed: participant_gone']));
    expect(findUserSession(server.database.db, account.id, sessionId)).toMatchObject({
      status: 'ended',
      endReason: 'participant_gone',
    });
  });
});

describe('a job whose participant cannot be served', () => {
  it('says one sentence with a voice only (no VAD, no turn detector), and leaves', async () => {
    const account = await registerUser(server);
    const participant = await mintParticipant(server, account.accessToken);
    setUserStatus(server.database.db, account.id, 'suspended');
    const before = snapshotTables(server.database.db);
    const { job } = await startJob({ participant });

    expect(job.sessions).toHaveLength(1);
    const [refusal] = job.sessions;
    expect(refusal?.listen).toBe(false);
    expect(refusal?.session.vad).toBeUndefined();
    expect(refusal?.session.turnDetection).toBeUndefined();
    expect(refusal?.session.stt).toBeUndefined();
    expect(refusal?.session.llm).toBeUndefined();
    // espeak-ng spoke the sentence (a second or more of audio).
    expect(durationSeconds(refusal?.speaker.frames ?? [])).toBeGreaterThan(1);
    expect(job.shutdowns).toEqual(['refused: suspended']);

    const after = snapshotTables(server.database.db);
    expect(after.user_sessions).toEqual(before.user_sessions);
    expect(after.conversation_turns).toEqual(before.conversation_turns);
  });

  it('says it cannot reach Attune when the agent API does not answer', async () => {
    const account = await registerUser(server);
    const participant = await mintParticipant(server, account.accessToken);
    await server.stopAgentApi();
    try {
      const { job } = await startJob({ participant });
      expect(job.shutdowns).toEqual(['refused: service_unavailable']);
      expect(durationSeconds(job.sessions[0]?.speaker.frames ?? [])).toBeGreaterThan(1);
    } finally {
      await server.startAgentApi();
    }
    expect(refusalMessage('service_unavailable')).toMatch(/can't reach Attune/);
  });
});
