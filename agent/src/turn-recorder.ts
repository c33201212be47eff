import { voice } from '@livekit/agents';
import type { UserMemory } from './user-memory.ts';

/**
 * Queues every user and assistant message of the session for storing as it is added to the
 * conversation; the outbox behind `memory` sends them in order and keeps them while the service
 * is unreachable.
 */
export function recordConversationTurns(session: voice.AgentSession, memory: UserMemory): void {
  session.on(voice.AgentSessionEventTypes.ConversationItemAdded, ({ item }) => {
    if (item.type !== 'message' || (item.role !== 'user' && item.role !== 'assistant')) return;
    const text = item.textContent?.trim();
    if (text) memory.recordTurn(item.role, text);
  });
}
