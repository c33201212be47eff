import { AutoSubscribe, type JobContext, inference, log, voice } from '@livekit/agents';
import type { AttuneDatabase } from '@attune/db';
import { createAssistant } from './assistant.ts';
import type { AgentConfig } from './config.ts';
import { createLanguageModel, createSpeechToText, createTextToSpeech } from './providers.ts';
import { endWithSession, recordSessionJoined, sessionEndRecorder } from './session-end.ts';
import { type RefusalReason, refusalMessage, resolveSessionUser } from './session-user.ts';
import { recordConversationTurns } from './turn-recorder.ts';
import { UserMemory } from './user-memory.ts';

export interface AssistantJobDeps {
  config: AgentConfig;
  database: AttuneDatabase;
}

/** Says one sentence to the participant and leaves the room. */
async function refuse(
  ctx: JobContext<AssistantJobDeps>,
  config: AgentConfig,
  identity: string,
  reason: RefusalReason,
): Promise<void> {
  log().warn(
    { reason, identity, room: ctx.room.name },
    'refusing a participant the agent cannot serve',
  );
  const session = new voice.AgentSession({ tts: createTextToSpeech(config.tts) });
  await session.start({
    agent: new voice.Agent({
      instructions: 'You only tell the participant why you cannot help them.',
    }),
    room: ctx.room,
    inputOptions: { participantIdentity: identity, audioEnabled: false, textEnabled: false },
  });
  try {
    await session
      .say(refusalMessage(reason), { allowInterruptions: false, addToChatCtx: false })
      .waitForPlayout();
  } finally {
    await session.close();
    ctx.shutdown(`refused: ${reason}`);
  }
}

/**
 * One job: the agent joins the room it was dispatched to, waits for the person who asked for it,
 * checks who they are against the database, and talks with them until they leave.
 */
export async function runAssistantJob(
  ctx: JobContext<AssistantJobDeps>,
  { config, database }: AssistantJobDeps,
): Promise<void> {
  await ctx.connect(undefined, AutoSubscribe.AUDIO_ONLY);
  const participant = await ctx.waitForParticipant();
  const joinedAtMs = Date.now();
  const resolved = resolveSessionUser(
    database.db,
    participant,
    ctx.room.name ?? '',
    config.sessionLimits,
  );
  if (!resolved.ok) return refuse(ctx, config, participant.identity, resolved.reason);

  const { user } = resolved;
  await recordSessionJoined(database, user, joinedAtMs);
  const memory = user.memory ? new UserMemory(database, user, config.memory) : null;
  const session = new voice.AgentSession({
    vad: new inference.VAD(),
    stt: createSpeechToText(config.stt),
    llm: createLanguageModel(config.llm),
    tts: createTextToSpeech(config.tts),
    turnHandling: { turnDetection: new inference.TurnDetector({ version: 'v1-mini' }) },
  });
  if (memory) recordConversationTurns(session, memory);

  // The job is over when the session closes. A job stopped without a closed session (the worker
  // shutting down) still records the end; the first record wins, and LiveKit's webhook beats both.
  const recordEnd = sessionEndRecorder(database, user, joinedAtMs);
  endWithSession(session, recordEnd, (reason) => ctx.shutdown(`session closed: ${reason}`));
  ctx.addShutdownCallback(async () => {
    await recordEnd('job_shutdown', Date.now());
  });

  await session.start({
    agent: createAssistant({ user, memory, joinedAtMs }),
    room: ctx.room,
    inputOptions: { participantIdentity: participant.identity },
  });
}
