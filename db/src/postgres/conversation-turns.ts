/**
 * PostgreSQL ports of queries/conversation-turns.ts, plus the agent's idempotent turn append
 * (queries/agent-sessions.ts `insertClientTurns`), which writes the same table.
 */
import { type SQL, and, desc, eq, isNotNull, isNull, ne, or, sql } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { ClientTurn } from '../queries/agent-sessions.ts';
import type { NewConversationTurn, TurnBudget, TurnSearch } from '../queries/conversation-turns.ts';
import { conversationTurns } from '../schema.pg.ts';
import type { ConversationTurn } from '../schema.ts';
import { likeContaining } from '../sql-fragments.ts';
import type { PgTx } from './transaction.ts';

export async function insertConversationTurnPg(
  db: PgDb | PgTx,
  turn: NewConversationTurn,
  nowMs: number,
): Promise<void> {
  await db.insert(conversationTurns).values({ ...turn, createdAt: nowMs });
}

/** The user's most recent turns that fit the budget, oldest first; reads at most `maxTurns` rows. */
export async function recentTurnsPg(
  db: PgDb | PgTx,
  userId: string,
  budget: TurnBudget,
): Promise<ConversationTurn[]> {
  const newestFirst = await db
    .select()
    .from(conversationTurns)
    .where(eq(conversationTurns.userId, userId))
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(budget.maxTurns);
  const slice: ConversationTurn[] = [];
  let chars = 0;
  for (const turn of newestFirst) {
    chars += turn.text.length;
    if (chars > budget.maxChars) break;
    slice.push(turn);
  }
  return slice.reverse();
}

/**
 * `text ILIKE '%word%'`: SQLite's LIKE ignores ASCII case, PostgreSQL's does not, so the search
 * finds the same turns on both. (ILIKE also folds non-ASCII letters, which SQLite's LIKE does not.)
 */
function containsWord(word: string): SQL {
  return sql`${conversationTurns.text} ILIKE ${likeContaining(word)} ESCAPE '\\'`;
}

/** The user's newest turns containing every word, newest first. Only this user's rows are read. */
export function searchTurnsPg(
  db: PgDb | PgTx,
  userId: string,
  search: TurnSearch,
): Promise<ConversationTurn[]> {
  const { words, excludeSessionId, limit } = search;
  const outsideSession = excludeSessionId
    ? or(isNull(conversationTurns.sessionId), ne(conversationTurns.sessionId, excludeSessionId))
    : undefined;
  return db
    .select()
    .from(conversationTurns)
    .where(and(eq(conversationTurns.userId, userId), outsideSession, ...words.map(containsWord)))
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(limit);
}

/** The last `limit` turns (oldest first) of the user's latest conversation other than the current. */
export async function previousSessionTurnsPg(
  db: PgDb | PgTx,
  userId: string,
  currentSessionId: string | null,
  limit: number,
): Promise<ConversationTurn[]> {
  const [latest] = await db
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
    .limit(1);
  if (!latest?.sessionId) return [];
  const turns = await db
    .select()
    .from(conversationTurns)
    .where(
      and(eq(conversationTurns.userId, userId), eq(conversationTurns.sessionId, latest.sessionId)),
    )
    .orderBy(desc(conversationTurns.createdAt), desc(conversationTurns.id))
    .limit(limit);
  return turns.reverse();
}

/**
 * PostgreSQL's `insertClientTurns`: the session's turns, all or none (one statement), a turn
 * whose id the session already has skipped (ON CONFLICT DO NOTHING, as on SQLite; a repeat within
 * the batch is skipped too). Rows take their ids in the order given. Two replicas storing the same
 * batch at once store it once: the second insert of a turn waits for the first's commit, then
 * skips it; taken in different orders they can deadlock, so callers run it in `runUnit`, whose
 * retry finds them stored. Returns how many were new.
 */
export async function insertClientTurnsPg(
  db: PgDb | PgTx,
  owner: { userId: string; sessionId: string },
  turns: readonly ClientTurn[],
): Promise<number> {
  if (turns.length === 0) return 0;
  const inserted = await db
    .insert(conversationTurns)
    .values(turns.map((turn) => ({ ...owner, ...turn })))
    .onConflictDoNothing({ target: [conversationTurns.sessionId, conversationTurns.clientTurnId] })
    .returning({ id: conversationTurns.id });
  return inserted.length;
}
