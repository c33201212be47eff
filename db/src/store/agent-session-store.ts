import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { findAgentSessionScopePg, readAgentUserMemoryPg } from '../postgres/agent-sessions.ts';
import {
  countActiveSessionsOfPg,
  markSessionJoinedPg,
  recordSessionEndPg,
} from '../postgres/user-sessions.ts';
import {
  type AgentSessionScope,
  type AgentUserMemory,
  findAgentSessionScope,
  readAgentUserMemory,
} from '../queries/agent-sessions.ts';
import type { TurnBudget } from '../queries/conversation-turns.ts';
import {
  type SessionEnd,
  countActiveSessionsOf,
  markSessionJoined,
  recordSessionEnd,
} from '../queries/user-sessions.ts';
import { runSync } from './run-sync.ts';

/**
 * The session an agent talks in, as the internal agent API reads and records it. Every call is
 * keyed by the session and its user, both from the service's own rows.
 */
export interface AgentSessionStore {
  /** The session and its user in one read; `undefined` once either is deleted. */
  findScope(sessionId: string): Promise<AgentSessionScope | undefined>;
  /** Preferences, the bounded slice of history and the count of earlier conversations. */
  readUserMemory(input: {
    userId: string;
    sessionId: string;
    budget: TurnBudget;
  }): Promise<AgentUserMemory>;
  /** The user's sessions in progress other than `exceptSessionId`. */
  countActive(userId: string, exceptSessionId?: string): Promise<number>;
  /**
   * The agent saw the user join: an `issued` (or swept `expired`) session becomes `active`.
   * A conditional update: whether this call changed it.
   */
  markJoined(input: { userId: string; sessionId: string; joinedAtMs: number }): Promise<boolean>;
  /** Ends the session as the agent saw it unless an end is recorded; whether this call did. */
  recordEnd(end: SessionEnd): Promise<boolean>;
}

/** SQLite: reads on the handle, the two writes each one piece of work of the group commit. */
export function sqliteAgentSessionStore({ db, groupCommit }: AttuneDatabase): AgentSessionStore {
  return {
    findScope: (sessionId) => runSync(() => findAgentSessionScope(db, sessionId)),
    readUserMemory: (input) => runSync(() => readAgentUserMemory(db, input)),
    countActive: (userId, exceptSessionId) =>
      runSync(() => countActiveSessionsOf(db, userId, exceptSessionId)),
    markJoined: (input) => groupCommit.run((tx) => markSessionJoined(tx, input)),
    recordEnd: (end) => groupCommit.run((tx) => recordSessionEnd(tx, end)),
  };
}

/**
 * PostgreSQL: both writes are single conditional updates, so of two replicas recording one
 * session's join or end exactly one changes it.
 */
export function postgresAgentSessionStore({ db }: PostgresDatabase): AgentSessionStore {
  return {
    findScope: (sessionId) => findAgentSessionScopePg(db, sessionId),
    readUserMemory: (input) => readAgentUserMemoryPg(db, input),
    countActive: (userId, exceptSessionId) => countActiveSessionsOfPg(db, userId, exceptSessionId),
    markJoined: (input) => markSessionJoinedPg(db, input),
    recordEnd: (end) => recordSessionEndPg(db, end),
  };
}
