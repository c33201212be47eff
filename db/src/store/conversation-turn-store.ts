import type { AttuneDatabase } from '../open-database.ts';
import type { PostgresDatabase } from '../open-postgres.ts';
import { deleteConversationHistoryPg, listHistoryPagePg } from '../postgres/account.ts';
import {
  insertClientTurnsPg,
  previousSessionTurnsPg,
  recentTurnsPg,
  searchTurnsPg,
} from '../postgres/conversation-turns.ts';
import { runUnit } from '../postgres/transaction.ts';
import {
  type HistoryCursor,
  type HistoryPage,
  deleteConversationHistory,
  listHistoryPage,
} from '../queries/account.ts';
import { type ClientTurn, insertClientTurns } from '../queries/agent-sessions.ts';
import {
  type TurnBudget,
  type TurnSearch,
  previousSessionTurns,
  recentTurns,
  searchTurns,
} from '../queries/conversation-turns.ts';
import type { ConversationTurn } from '../schema.ts';
import { runSync } from './run-sync.ts';

/** What was said in a user's conversations: stored by the agent, read back by it and the user. */
export interface ConversationTurnStore {
  /**
   * Stores a session's turns as the agent sent them, all or none; a turn whose client id the
   * session already has is skipped, so a batch sent again (or by two replicas at once) is stored
   * once. Returns how many were new.
   */
  appendClientTurns(
    owner: { userId: string; sessionId: string },
    turns: readonly ClientTurn[],
  ): Promise<number>;
  /** The user's most recent turns within the budget, oldest first. */
  recent(userId: string, budget: TurnBudget): Promise<ConversationTurn[]>;
  /** The user's newest turns containing every word (ignoring ASCII case), newest first. */
  search(userId: string, search: TurnSearch): Promise<ConversationTurn[]>;
  /** The last `limit` turns, oldest first, of the user's latest conversation but the current one. */
  previousSession(
    userId: string,
    currentSessionId: string | null,
    limit: number,
  ): Promise<ConversationTurn[]>;
  /** The user's turns grouped by session, newest group first, a page of groups at a time. */
  historyPage(
    userId: string,
    query: { limit: number; after?: HistoryCursor | undefined },
  ): Promise<HistoryPage>;
  /** Deletes all of the user's turns; returns how many. */
  deleteHistory(userId: string): Promise<number>;
}

export function sqliteConversationTurnStore({
  db,
  groupCommit,
}: AttuneDatabase): ConversationTurnStore {
  return {
    // A unit of the group commit: its savepoint makes the batch all or none.
    appendClientTurns: (owner, turns) =>
      groupCommit.run((tx) => insertClientTurns(tx, owner, turns)),
    recent: (userId, budget) => runSync(() => recentTurns(db, userId, budget)),
    search: (userId, search) => runSync(() => searchTurns(db, userId, search)),
    previousSession: (userId, currentSessionId, limit) =>
      runSync(() => previousSessionTurns(db, userId, currentSessionId, limit)),
    historyPage: (userId, query) => runSync(() => listHistoryPage(db, userId, query)),
    deleteHistory: (userId) => groupCommit.run((tx) => deleteConversationHistory(tx, userId)),
  };
}

export function postgresConversationTurnStore({ db }: PostgresDatabase): ConversationTurnStore {
  return {
    // A unit, not a bare statement: two replicas storing one batch in different orders can
    // deadlock on the unique index; PostgreSQL aborts one, which runs again and skips them all.
    appendClientTurns: (owner, turns) => runUnit(db, (tx) => insertClientTurnsPg(tx, owner, turns)),
    recent: (userId, budget) => recentTurnsPg(db, userId, budget),
    search: (userId, search) => searchTurnsPg(db, userId, search),
    previousSession: (userId, currentSessionId, limit) =>
      previousSessionTurnsPg(db, userId, currentSessionId, limit),
    historyPage: (userId, query) => listHistoryPagePg(db, userId, query),
    deleteHistory: (userId) => deleteConversationHistoryPg(db, userId),
  };
}
