import { voice } from '@livekit/agents';
import { type UserContext, buildInstructions, greetingInstructions } from './instructions.ts';
import type { SessionUser } from './session-user.ts';
import { createMemoryTools, createSessionFactsTool } from './tools.ts';
import type { UserMemory } from './user-memory.ts';

/** The Attune voice assistant for one user's session; it greets them by name when it starts. */
export class AttuneAssistant extends voice.Agent {
  constructor(
    readonly context: UserContext,
    tools: NonNullable<ConstructorParameters<typeof voice.Agent>[0]['tools']>,
  ) {
    super({ instructions: buildInstructions(context), tools });
  }

  override onEnter(): Promise<void> {
    this.session.generateReply({ instructions: greetingInstructions(this.context) });
    return Promise.resolve();
  }
}

export interface AssistantInput {
  user: SessionUser;
  /** Present for registered users; guests have no memory. */
  memory: UserMemory | null;
  joinedAtMs: number;
  now?: () => number;
}

/** The assistant for what the service said about the user, with that user's tools. */
export function createAssistant({
  user,
  memory,
  joinedAtMs,
  now = Date.now,
}: AssistantInput): AttuneAssistant {
  const facts = createSessionFactsTool({ joinedAtMs, now, earlierSessions: user.earlierSessions });
  const context = memory ? user.context : { ...user.context, memory: false };
  return new AttuneAssistant(context, memory ? { ...createMemoryTools(memory), ...facts } : facts);
}
