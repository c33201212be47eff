import type { Db } from './open-database.ts';

export interface GroupCommit {
  /**
   * Runs `work` (synchronous, on this connection) in the next shared transaction and resolves
   * once that transaction has committed. Each piece of work runs in its own savepoint: one that
   * throws rolls back alone and rejects alone.
   */
  run<T>(work: (db: Db) => T): Promise<T>;
}

interface Job {
  work: (db: Db) => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: writes queued during one turn of the event loop share one SQLite transaction,
 * so a burst of requests pays for one commit instead of one each. Nobody is answered before
 * the commit that holds their write.
 */
export function createGroupCommit(db: Db, options: { onCommit?: (jobs: number) => void } = {}): GroupCommit {
  let queue: Job[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    let outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[];
    try {
      outcomes = db.transaction(
        () =>
          batch.map((job) => {
            try {
              return { ok: true as const, value: db.transaction(() => job.work(db)) };
            } catch (error) {
              return { ok: false as const, error };
            }
          }),
        // Take the write lock up front: another process (the agent) may be writing too.
        { behavior: 'immediate' },
      );
    } catch (error) {
      for (const job of batch) job.reject(error);
      return;
    }
    options.onCommit?.(batch.length);
    outcomes.forEach((outcome, i) => {
      const job = batch[i]!;
      if (outcome.ok) job.resolve(outcome.value);
      else job.reject(outcome.error);
    });
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
