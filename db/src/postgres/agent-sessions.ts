/** PostgreSQL ports of queries/agent-sessions.ts: what the internal agent API reads for a session. */
import { eq } from 'drizzle-orm';
import type { PgDb } from '../open-postgres.ts';
import type { AgentSessionScope, AgentUserMemory } from '../queries/agent-sessions.ts';
import type { TurnBudget } from '../queries/conversation-turns.ts';
import { userSessions, users } from '../schema.pg.ts';
import { recentTurnsPg } from './conversation-turns.ts';
import { listPreferencesPg } from './preferences.ts';
import type { PgTx } from './transaction.ts';
import { countEarlierSessionsPg } from './user-sessions.ts';

/** The session and its user in one indexed read; `undefined` once either is deleted. */
export async function findAgentSessionScopePg(
  db: PgDb | PgTx,
  sessionId: string,
): Promise<AgentSessionScope | undefined> {
  const [scope] = await db
    .select({
      session: userSessions,
      user: { id: users.id, fullName: users.fullName, role: users.role, status: users.status },
    })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(eq(userSessions.id, sessionId));
  return scope;
}

/**
 * PostgreSQL's `readAgentUserMemory`: the three reads run side by side on the pool, none depends
 * on another (see the SQLite version for why they share no transaction).
 */
export async function readAgentUserMemoryPg(
  db: PgDb,
  input: { userId: string; sessionId: string; budget: TurnBudget },
): Promise<AgentUserMemory> {
  const [preferences, history, earlierSessions] = await Promise.all([
    listPreferencesPg(db, input.userId),
    recentTurnsPg(db, input.userId, input.budget),
    countEarlierSessionsPg(db, input.userId, input.sessionId),
  ]);
  return { preferences, history, earlierSessions };
}
