import type { Logger } from 'pino';

/**
 * Work a route does after it has answered (looking an account up and mailing it a link), so the
 * answer cannot tell, by its content or its timing, what that work found. A task starts on a
 * later turn of the event loop, never inside the request; its failure is logged, never thrown to
 * anyone.
 */
export interface BackgroundTasks {
  /** Starts `task` after the current request has been answered. `label` names it in logs. */
  run(label: string, task: () => unknown): void;
  /** Resolves once every task started so far (and any they started) has settled. */
  idle(): Promise<void>;
}

export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<void>>();
  return {
    run(label, task) {
      const settled: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(task)
        .then(
          () => undefined,
          (error: unknown) => {
            logger.error({ err: error, task: label }, 'a background task failed');
          },
        )
        .finally(() => running.delete(settled));
      running.add(settled);
    },
    async idle() {
      while (running.size > 0) await Promise.all(running);
    },
  };
}
