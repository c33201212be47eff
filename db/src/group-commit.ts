import type Database from 'better-sqlite3';
import { isDatabaseBusy } from './database-busy.ts';
import type { Db } from './open-database.ts';

export interface GroupCommit {
  /**
   * Runs `work` (synchronous, on this connection) in the next shared transaction and resolves
   * once that transaction has committed. Each piece of work runs in its own savepoint: one that
   * throws rolls back alone and rejects alone.
   */
  run<T>(work: (db: Db) => T): Promise<T>;
}

export interface GroupCommitOptions {
  /** Called after each commit with the number of pieces of work it held (for tests and metrics). */
  onCommit?: (jobs: number) => void;
  /** How long a batch keeps retrying, off the event loop, while another process holds the write lock. */
  busyRetryForMs?: number;
  /** The connection's own busy timeout, restored after each batch (which runs with none). */
  busyTimeoutMs?: number;
}

interface Job {
  work: (db: Db) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const BUSY_RETRY_DELAY_MS = 10;

/**
 * Group commit: writes queued during one turn of the event loop share one SQLite transaction,
 * so a burst of requests pays for one commit instead of one each. Nobody is answered before
 * the commit that holds their write. `connection` is the better-sqlite3 handle under `db`.
 */
export function createGroupCommit(
  db: Db,
  connection: Pick<Database.Database, 'open' | 'inTransaction' | 'pragma' | 'transaction'>,
  options: GroupCommitOptions = {},
): GroupCommit {
  const busyRetryForMs = options.busyRetryForMs ?? 2_000;
  const busyTimeoutMs = options.busyTimeoutMs ?? 0;
  let queue: Job[] = [];
  let scheduled = false;

  // better-sqlite3's own transaction functions, made once: called inside another, one runs as a
  // savepoint. (drizzle's `db.transaction` does the same but builds a transaction object, with
  // its query builders, on every call: measurable at thousands of pieces of work a second.)
  const inSavepoint = connection.transaction((job: Job) => job.work(db));
  const batchTransaction = connection.transaction((batch: Job[]) =>
    batch.map((job): Outcome => {
      try {
        return { ok: true, value: inSavepoint(job) };
      } catch (error) {
        // Some failures (disk full, I/O error) end the whole transaction, not just this
        // savepoint: then nothing of the batch may commit, so abort it all.
        if (!connection.inTransaction) throw error;
        return { ok: false, error };
      }
    }),
  );

  function runBatch(batch: Job[], firstTryMs: number): void {
    let outcomes: Outcome[];
    try {
      // Never wait for the lock inside SQLite (that would block the event loop): fail fast
      // with SQLITE_BUSY and try again from a timer.
      connection.pragma('busy_timeout = 0');
      // Take the write lock up front: another process (the agent) may be writing too.
      outcomes = batchTransaction.immediate(batch);
    } catch (error) {
      if (isDatabaseBusy(error) && Date.now() - firstTryMs < busyRetryForMs) {
        setTimeout(() => runBatch(batch, firstTryMs), BUSY_RETRY_DELAY_MS);
        return;
      }
      for (const job of batch) job.reject(error);
      return;
    } finally {
      if (connection.open) connection.pragma(`busy_timeout = ${busyTimeoutMs}`);
    }
    options.onCommit?.(batch.length);
    outcomes.forEach((outcome, i) => {
      const job = batch[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
  }

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    runBatch(batch, Date.now());
  }

  return {
    run<T>(work: (db: Db) => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      });
    },
  };
}
