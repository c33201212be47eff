import { type SQL, and, desc, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../open-database.ts';
import { prepared } from '../prepared.ts';
import { type ConversationTurn, type TurnRole, conversationTurns } from '../schema.ts';
import { likeContaining } from '../sql-fragments.ts';

export interface NewConversationTurn {
  userId: string;
  sessionId: string | null;
  role: TurnRole;
  text: string;
}

const insertTurn = (db: Db) =>
  db
    .insert(conversationTurns)
    .values({
      userId: sql.placeholder('userId'),
      sessionId: sql.placeholder('sessionId'),
      role: sql.placeholder('role'),
      text: sql.placeholder('text'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare();

export function insertConversationTurn(db: Db, turn: NewConversationTurn, nowMs: number): void {
  prepared(db, insertTurn).run({ ...turn, createdAt: nowMs });
}

const newestTurnsOfUser = (db: Db) =>
  db
    .select()
    .from(conversationTurns)
    .where(eq(conversationTurns.userId, sql.placeholder('userId')))
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(sql.placeholder('limit'))
    .prepare();

export interface TurnBudget {
  /** At most this many turns are read, however short they are. */
  maxTurns: number;
  /** The slice stops before the turn that would take its text past this many characters. */
  maxChars: number;
}

/**
 * The user's most recent turns that fit the budget, oldest first (newest last). It reads at most
 * `maxTurns` rows through the (user_id, created_at) index, so a user with a very long history
 * costs no more than one with a short one.
 */
export function recentTurns(db: Db, userId: string, budget: TurnBudget): ConversationTurn[] {
  const newestFirst = prepared(db, newestTurnsOfUser).all({ userId, limit: budget.maxTurns });
  const slice: ConversationTurn[] = [];
  let chars = 0;
  for (const turn of newestFirst) {
    chars += turn.text.length;
    if (chars > budget.maxChars) break;
    slice.push(turn);
  }
  return slice.reverse();
}

/** `text LIKE '%word%'` for a literal word: `%`, `_` and `\` in it match only themselves. */
function containsWord(word: string): SQL {
  return sql`${conversationTurns.text} LIKE ${likeContaining(word)} ESCAPE '\\'`;
}

export interface TurnSearch {
  /** Every word must occur in the turn (case-insensitive for ASCII). */
  words: readonly string[];
  /** Leave out the turns of this conversation (usually the one in progress). */
  excludeSessionId?: string | null;
  limit: number;
}

/** The user's newest turns matching the search, newest first. Only this user's rows are read. */
export function searchTurns(db: Db, userId: string, search: TurnSearch): ConversationTurn[] {
  const { words, excludeSessionId, limit } = search;
  const outsideSession = excludeSessionId
    ? or(isNull(conversationTurns.sessionId), ne(conversationTurns.sessionId, excludeSessionId))
    : undefined;
  return db
    .select()
    .from(conversationTurns)
    .where(and(eq(conversationTurns.userId, userId), outsideSession, ...words.map(containsWord)))
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(limit)
    .all();
}

/**
 * The last `limit` turns (oldest first) of the user's most recent conversation other than
 * `currentSessionId`, or an empty list when there was none.
 */
export function previousSessionTurns(
  db: Db,
  userId: string,
  currentSessionId: string | null,
  limit: number,
): ConversationTurn[] {
  const latest = db
    .select({ sessionId: conversationTurns.sessionId })
    .from(conversationTurns)
    .where(
      and(
        eq(conversationTurns.userId, userId),
        isNotNull(conversationTurns.sessionId),
        currentSessionId === null ? undefined : ne(conversationTurns.sessionId, currentSessionId),
      ),
    )
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(1)
    .get();
  if (!latest?.sessionId) return [];
  return db
    .select()
    .from(conversationTurns)
    .where(
      and(eq(conversationTurns.userId, userId), eq(conversationTurns.sessionId, latest.sessionId)),
    )
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(limit)
    .all()
    .reverse();
}
