import { llm as agentsLlm, initializeLogger, voice } from '@livekit/agents';
import { type AttuneDatabase, type UserRole, insertUser, insertUserSession } from '@attune/db';
import { ATTRIBUTE_SESSION_ID, ATTRIBUTE_USER_ID } from '../participant-claims.ts';
import { type SessionUser, resolveSessionUser } from '../session-user.ts';
import { type MemoryLimits, UserMemory } from '../user-memory.ts';

export const TEST_MEMORY_LIMITS: MemoryLimits = {
  historyMaxTurns: 40,
  historyMaxChars: 4_000,
  maxPreferences: 100,
};

/** The framework's logger must exist before any session is built; quiet in tests. */
export function initializeQuietAgentLogger(): void {
  initializeLogger({ pretty: false, level: 'warn' });
}

/** A registered user with an issued session in their own room, resolved the way the agent does. */
export function seedSessionUser(
  database: AttuneDatabase,
  input: { email: string; fullName: string; role?: UserRole; nowMs?: number },
): SessionUser {
  const nowMs = input.nowMs ?? Date.now();
  const user = insertUser(
    database.db,
    { email: input.email, fullName: input.fullName, passwordHash: 'unused', role: input.role },
    nowMs,
  )!;
  const roomName = `room-${user.id}`;
  const session = insertUserSession(
    database.db,
    { userId: user.id, roomName, participantIdentity: user.id },
    nowMs,
  );
  const resolved = resolveSessionUser(
    database.db,
    {
      identity: user.id,
      attributes: { [ATTRIBUTE_USER_ID]: user.id, [ATTRIBUTE_SESSION_ID]: session.id },
    },
    roomName,
  );
  if (!resolved.ok) throw new Error(`seeded user did not resolve: ${resolved.reason}`);
  return resolved.user;
}

export function memoryOf(database: AttuneDatabase, user: SessionUser): UserMemory {
  return new UserMemory(database, user, TEST_MEMORY_LIMITS);
}

/** The framework's FakeLLM that also keeps every chat context it was asked to answer. */
export class RecordingFakeLLM extends voice.testing.FakeLLM {
  readonly requests: agentsLlm.ChatContext[] = [];

  override chat(
    options: Parameters<voice.testing.FakeLLM['chat']>[0],
  ): ReturnType<voice.testing.FakeLLM['chat']> {
    this.requests.push(options.chatCtx.copy());
    return super.chat(options);
  }
}

/** A text-only session (no audio, no VAD, no turn detector) around a scripted model. */
export function textOnlySession(model: agentsLlm.LLM): voice.AgentSession {
  return new voice.AgentSession({ llm: model, vad: null, turnHandling: { turnDetection: null } });
}

/** The tool output text exactly as the framework hands it back to the model. */
export const toolOutput = (text: string) => JSON.stringify(text);
