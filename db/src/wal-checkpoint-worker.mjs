// @ts-check
// Worker-thread entry of the WAL checkpointer (wal-checkpointer.ts): its own connection to the
// database copies committed pages from the write-ahead log into the database file, so the
// service's connection never stops to do it (a checkpoint writes and fsyncs; on a busy disk that
// took tens of milliseconds, which every request waiting on that commit then waited too).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ path: string, intervalMs: number }} */
const { path, intervalMs } = workerData;
const db = new Database(path, { fileMustExist: true });
// PASSIVE never waits for readers or the writer: it copies what it can and tries again later.
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

let lastFrames = 0;
const timer = setInterval(() => {
  try {
    // `checkpointed`: frames of the current log now in the database file (the log starts again
    // from its beginning once all of it is, and a new write comes).
    const { checkpointed } = /** @type {{ busy: number, log: number, checkpointed: number }} */ (
      checkpoint.get()
    );
    if (checkpointed !== lastFrames && checkpointed > 0) parentPort?.postMessage({ checkpointed });
    lastFrames = checkpointed;
  } catch (error) {
    // The writer's own automatic checkpoint (kept as a backstop) takes over; say why once.
    clearInterval(timer);
    parentPort?.postMessage({ failed: String(error) });
  }
}, intervalMs);

parentPort?.on('message', (message) => {
  if (message === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort?.close();
  }
});
