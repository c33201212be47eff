import {
  type AttuneDatabase,
  type ConversationTurn,
  type SavePreferenceResult,
  type TurnRole,
  type UserPreference,
  countEarlierSessions,
  deletePreference,
  insertConversationTurn,
  listPreferences,
  previousSessionTurns,
  recentTurns,
  savePreference,
  searchTurns,
} from '@attune/db';
import type { SessionUser } from './session-user.ts';

export interface MemoryLimits {
  /** The instructions carry at most this many earlier turns… */
  historyMaxTurns: number;
  /** …and at most this many characters of them. */
  historyMaxChars: number;
  maxPreferences: number;
}

/** How many turns `recall` reads back; enough for a spoken summary, short enough to say. */
const RECALL_LIMIT = 6;

/**
 * Everything the agent stores or reads about the person it is talking to, bound to that one
 * user and session when the session starts. Nothing here takes a user id from outside, so no
 * tool argument can reach another user's rows. Writes go through the group commit, which
 * retries off the event loop while the auth service holds the write lock.
 */
export class UserMemory {
  constructor(
    private readonly database: Pick<AttuneDatabase, 'db' | 'groupCommit'>,
    readonly user: SessionUser,
    private readonly limits: MemoryLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private get userId(): string {
    return this.user.userId;
  }

  private get sessionId(): string {
    return this.user.session.id;
  }

  preferences(): UserPreference[] {
    return listPreferences(this.database.db, this.userId);
  }

  remember(key: string, value: string): Promise<SavePreferenceResult> {
    const nowMs = this.now();
    return this.database.groupCommit.run((db) =>
      savePreference(
        db,
        { userId: this.userId, key, value, maxPerUser: this.limits.maxPreferences },
        nowMs,
      ),
    );
  }

  forget(key: string): Promise<boolean> {
    return this.database.groupCommit.run((db) => deletePreference(db, this.userId, key));
  }

  /** The bounded slice of earlier turns that goes into the instructions, newest last. */
  recentHistory(): ConversationTurn[] {
    return recentTurns(this.database.db, this.userId, {
      maxTurns: this.limits.historyMaxTurns,
      maxChars: this.limits.historyMaxChars,
    });
  }

  /** Earlier turns about `words`, newest first, or the end of the previous conversation. */
  recall(words: readonly string[]): ConversationTurn[] {
    if (words.length === 0)
      return previousSessionTurns(this.database.db, this.userId, this.sessionId, RECALL_LIMIT);
    return searchTurns(this.database.db, this.userId, {
      words,
      excludeSessionId: this.sessionId,
      limit: RECALL_LIMIT,
    });
  }

  earlierSessionCount(): number {
    return countEarlierSessions(this.database.db, this.userId, this.sessionId);
  }

  recordTurn(role: TurnRole, text: string): Promise<void> {
    const nowMs = this.now();
    return this.database.groupCommit.run((db) =>
      insertConversationTurn(
        db,
        { userId: this.userId, sessionId: this.sessionId, role, text },
        nowMs,
      ),
    );
  }
}
