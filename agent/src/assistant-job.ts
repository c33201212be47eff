import { log, voice } from '@livekit/agents';
import type { EndReason } from '@attune/contract';
import { createAssistant } from './assistant.ts';
import type { AgentApiClient } from './attune-api/agent-api-client.ts';
import { TurnOutbox } from './attune-api/turn-outbox.ts';
import { type DisconnectReasons, type EndReasonSources, trackEndReason } from './end-reason.ts';
import { endWithSession, recordSessionJoined, sessionEndRecorder } from './session-end.ts';
import {
  type JobRefusal,
  type ParticipantLike,
  refusalMessage,
  resolveSessionUser,
  sessionIdOf,
} from './session-user.ts';
import { recordConversationTurns } from './turn-recorder.ts';
import { UserMemory } from './user-memory.ts';

type SessionOptions = NonNullable<ConstructorParameters<typeof voice.AgentSession>[0]>;

/**
 * The models of a session, built inside the job (the turn detector must be: it reaches the shared
 * inference process through the job's context).
 */
export interface SessionModels {
  /** Everything a conversation needs: VAD, STT, LLM, TTS and turn handling. */
  conversation(): Promise<SessionOptions>;
  /** Only a voice: the refusal path says one sentence and listens to nothing. */
  refusal(): Promise<SessionOptions>;
}

/**
 * The one LiveKit job this code runs in, reduced to what it uses; `liveKitJob` (job.ts) adapts the
 * framework's JobContext, and tests run the same code without a LiveKit server.
 */
export interface AssistantJobContext {
  roomName: string;
  connect(): Promise<void>;
  /** The first participant that is not an agent. */
  waitForParticipant(): Promise<ParticipantLike>;
  /** Starts the session in the room, linked to that participant; audio off for a refusal. */
  startSession(
    session: voice.AgentSession,
    agent: voice.Agent,
    participant: ParticipantLike,
    options: { listen: boolean },
  ): Promise<void>;
  endReasonSources: EndReasonSources;
  disconnectReasons: DisconnectReasons;
  /** Ends the job (disconnects from the room and lets the process go). */
  shutdown(reason: string): void;
}

export interface AssistantJobDeps {
  api: AgentApiClient;
  models: SessionModels;
  reconnectWindowMs: number;
  now?: () => number;
}

const REFUSAL_INSTRUCTIONS = 'You only tell the participant why you cannot help them.';

/** Says one sentence to the participant and leaves the room. */
async function refuse(
  job: AssistantJobContext,
  deps: AssistantJobDeps,
  participant: ParticipantLike,
  refusal: { reason: JobRefusal; detail?: string },
): Promise<void> {
  log().warn(
    {
      reason: refusal.reason,
      detail: refusal.detail,
      sessionId: sessionIdOf(participant),
      room: job.roomName,
    },
    'refusing a participant the agent cannot serve',
  );
  const session = new voice.AgentSession(await deps.models.refusal());
  try {
    await job.startSession(
      session,
      new voice.Agent({ instructions: REFUSAL_INSTRUCTIONS }),
      participant,
      {
        listen: false,
      },
    );
    await session
      .say(refusalMessage(refusal.reason), { allowInterruptions: false, addToChatCtx: false })
      .waitForPlayout();
  } finally {
    await session.close();
    job.shutdown(`refused: ${refusal.reason}`);
  }
}

/**
 * One job: the agent joins the room it was dispatched to, waits for the person who asked for it,
 * asks the auth service who they are, and talks with them until they leave. Everything it reads
 * or stores goes through the internal agent API with this session's credential.
 */
export async function runAssistantJob(
  job: AssistantJobContext,
  deps: AssistantJobDeps,
): Promise<void> {
  const now = deps.now ?? Date.now;
  await job.connect();
  const participant = await job.waitForParticipant();
  const joinedAtMs = now();
  const resolved = await resolveSessionUser(deps.api, participant, job.roomName);
  if (!resolved.ok) return refuse(job, deps, participant, resolved);

  const { user } = resolved;
  await recordSessionJoined(user.api, joinedAtMs);
  const outbox = user.memory
    ? new TurnOutbox({
        send: (turns) => user.api.appendTurns(turns),
        log: log().child({ sessionId: user.sessionId }),
        now,
      })
    : null;
  const memory = outbox ? new UserMemory(user.api, outbox) : null;
  const session = new voice.AgentSession(await deps.models.conversation());
  if (memory) recordConversationTurns(session, memory);

  // The job is over when the session closes; what really ended it is tracked from the room and
  // the worker, since the framework reports most ends as `user_initiated`.
  const tracker = trackEndReason({
    identity: participant.identity,
    sources: job.endReasonSources,
    reasons: job.disconnectReasons,
    reconnectWindowMs: deps.reconnectWindowMs,
    endConversation: (reason: EndReason) => session.shutdown({ drain: false, reason }),
  });
  endWithSession(session, {
    tracker,
    recordEnd: sessionEndRecorder(user.api, joinedAtMs),
    outbox,
    onEnded: (reason) => job.shutdown(`session closed: ${reason}`),
  });

  await job.startSession(session, createAssistant({ user, memory, joinedAtMs, now }), participant, {
    listen: true,
  });
}
