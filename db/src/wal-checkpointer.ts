import { Worker } from 'node:worker_threads';

const WORKER_URL = new URL('./wal-checkpoint-worker.mjs', import.meta.url);

export interface BackgroundCheckpointOptions {
  /** How often the worker copies the log into the database file. */
  intervalMs?: number;
  /** Called when a checkpoint moved frames into the database file (for tests and metrics). */
  onCheckpoint?: (frames: number) => void;
  /** Called once if the worker cannot checkpoint; the writer's own checkpoints then take over. */
  onFailure?: (message: string) => void;
}

/**
 * How many pages the log may hold before the writer checkpoints by itself, on the event loop:
 * a backstop for a checkpointer that fell behind or stopped (SQLite's default is 1,000).
 */
export const BACKSTOP_CHECKPOINT_PAGES = 20_000;

export interface WalCheckpointer {
  stop(): void;
}

/**
 * Checkpoints the write-ahead log of the database at `path` from a worker thread with its own
 * connection, so the connection that commits never stops for it. Readers and the writer carry on
 * meanwhile (a PASSIVE checkpoint waits for nobody). The thread does not keep the process alive.
 */
export function startWalCheckpointer(
  path: string,
  options: BackgroundCheckpointOptions = {},
): WalCheckpointer {
  const worker = new Worker(WORKER_URL, {
    workerData: { path, intervalMs: options.intervalMs ?? 100 },
  });
  worker.unref();
  worker.on('message', (message: { checkpointed?: number; failed?: string }) => {
    if (message.checkpointed !== undefined) options.onCheckpoint?.(message.checkpointed);
    if (message.failed !== undefined) options.onFailure?.(message.failed);
  });
  worker.on('error', (error) => options.onFailure?.(String(error)));
  return {
    stop() {
      worker.postMessage('stop');
    },
  };
}
