/**
 * What the internal agent API reads and writes for the agent talking in one session. Everything
 * is keyed by the session and the user it belongs to, both taken from the service's own rows, so
 * the agent's session credential never reaches another user's data.
 */
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import {
  type ConversationTurn,
  type TurnRole,
  type User,
  type UserPreference,
  type UserSession,
  conversationTurns,
  userSessions,
  users,
} from '../schema.ts';
import { type TurnBudget, recentTurns } from './conversation-turns.ts';
import { listPreferences } from './preferences.ts';
import { countEarlierSessions } from './user-sessions.ts';

/** The session an agent acts on and the parts of its user the service's checks need. */
export interface AgentSessionScope {
  session: UserSession;
  user: Pick<User, 'id' | 'fullName' | 'role' | 'status'>;
}

const sessionWithUser = (db: Db) =>
  db
    .select({
      session: userSessions,
      user: { id: users.id, fullName: users.fullName, role: users.role, status: users.status },
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.id, sql.placeholder('sessionId')))
    .prepare();

/** The session and its user in one indexed read; `undefined` once either is deleted. */
export function findAgentSessionScope(db: Db, sessionId: string): AgentSessionScope | undefined {
  return prepared(db, sessionWithUser).get({ sessionId });
}

/** What the assistant knows about a registered user when a conversation starts. */
export interface AgentUserMemory {
  preferences: UserPreference[];
  /** The newest earlier turns within the budget, oldest first. */
  history: ConversationTurn[];
  /** Conversations the user joined before the one in `sessionId`. */
  earlierSessions: number;
}

/**
 * The user's preferences, the bounded slice of their history and the count of their earlier
 * conversations: three indexed reads on every conversation's start. They are not wrapped in a
 * transaction: none depends on another, a write landing between them changes nothing the agent
 * relies on, and a transaction here cost more than the three reads together.
 */
export function readAgentUserMemory(
  db: Db,
  input: { userId: string; sessionId: string; budget: TurnBudget },
): AgentUserMemory {
  return {
    preferences: listPreferences(db, input.userId),
    history: recentTurns(db, input.userId, input.budget),
    earlierSessions: countEarlierSessions(db, input.userId, input.sessionId),
  };
}

/** A turn as the agent sends it, with the id it chose. */
export interface ClientTurn {
  clientTurnId: string;
  role: TurnRole;
  text: string;
  createdAt: number;
}

const insertClientTurn = (db: Db) =>
  db
    .insert(conversationTurns)
    .values({
      userId: sql.placeholder('userId'),
      sessionId: sql.placeholder('sessionId'),
      clientTurnId: sql.placeholder('clientTurnId'),
      role: sql.placeholder('role'),
      text: sql.placeholder('text'),
      createdAt: sql.placeholder('createdAt'),
    })
    .onConflictDoNothing({ target: [conversationTurns.sessionId, conversationTurns.clientTurnId] })
    .prepare();

/**
 * Stores the session's turns in the order given; a turn whose id the session already has is
 * skipped, so a batch sent again is stored once. Run it in a transaction: all of the batch or
 * none of it. Returns how many were new.
 */
export function insertClientTurns(
  db: Db,
  owner: { userId: string; sessionId: string },
  turns: readonly ClientTurn[],
): number {
  let stored = 0;
  for (const turn of turns) {
    stored += prepared(db, insertClientTurn).run({ ...owner, ...turn }).changes;
  }
  return stored;
}
