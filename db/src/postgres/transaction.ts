import type { PgDb } from '../open-postgres.ts';

/** A transaction handle on PostgreSQL: query functions take it or the pooled `PgDb`. */
export type PgTx = Parameters<Parameters<PgDb['transaction']>[0]>[0];

/** SQLSTATEs after which running the whole transaction again is the documented remedy. */
const RETRYABLE = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/** drizzle wraps driver errors (DrizzleQueryError); the SQLSTATE is on the error or its cause. */
export function sqlState(error: unknown): string | undefined {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

export interface UnitOptions {
  /** Most attempts before the last serialization failure or deadlock is thrown. */
  attempts?: number;
  isolationLevel?: 'read committed' | 'repeatable read' | 'serializable';
}

/**
 * Runs `work` as one transaction, and again from the start (after a short random pause, so two
 * colliding replicas do not collide again) when PostgreSQL aborts it for a serialization
 * failure or a deadlock. `work` must therefore do nothing but database work: no mail, no calls.
 */
export async function runUnit<T>(
  db: PgDb,
  work: (tx: PgTx) => Promise<T>,
  options: UnitOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction(work, {
        isolationLevel: options.isolationLevel ?? 'read committed',
      });
    } catch (error) {
      const state = sqlState(error);
      if (attempt >= attempts || state === undefined || !RETRYABLE.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt));
    }
  }
}
