/** A shared rate-limit store gave no answer in time. */
export class StoreTimeoutError extends Error {
  override name = 'StoreTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/**
 * Settles as `answer` does, or rejects with StoreTimeoutError once `timeoutMs` have passed. The
 * verdict waits for the event loop's next I/O poll (setImmediate after the timer): when the loop
 * was held up longer than the timeout (a burst of requests, a long synchronous task), the timer
 * and the reply are both due at once, timers run first, and a plain timer would fail a store that
 * answered in time. Replies already received are read in that poll and win.
 */
export function withinTimeout<T>(answer: Promise<T>, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      setImmediate(() => {
        if (!settled) reject(new StoreTimeoutError(timeoutMs));
      });
    }, timeoutMs);
    answer
      .finally(() => {
        settled = true;
        clearTimeout(timer);
      })
      .then(resolve, reject);
  });
}
