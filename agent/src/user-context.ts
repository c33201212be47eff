import type { UserContext } from './instructions.ts';
import type { SessionUser } from './session-user.ts';
import type { UserMemory } from './user-memory.ts';

/**
 * What the assistant knows about the user when the session starts: their name, every preference
 * and the bounded slice of recent history. Two indexed reads, whatever the length of the history.
 */
export function loadUserContext(user: SessionUser, memory: UserMemory | null): UserContext {
  return memory
    ? {
        displayName: user.displayName,
        memory: true,
        preferences: memory.preferences(),
        history: memory.recentHistory(),
      }
    : { displayName: user.displayName, memory: false, preferences: [], history: [] };
}
