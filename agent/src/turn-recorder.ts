import { log, voice } from '@livekit/agents';
import type { UserMemory } from './user-memory.ts';

/**
 * Stores every user and assistant message of the session as it is added to the conversation.
 * A failed write is logged (without the text) and does not stop the conversation.
 */
export function recordConversationTurns(session: voice.AgentSession, memory: UserMemory): void {
  session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return;
    const text = item.textContent?.trim();
    if (!text) return;
    memory.recordTurn(item.role, text).catch((error: unknown) => {
      log().error(
        { err: error, role: item.role, sessionId: memory.user.session.id },
        'could not store a conversation turn',
      );
    });
  });
}
