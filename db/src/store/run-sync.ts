/**
 * Runs synchronous SQLite work right away and hands back its result, or its error, as a promise:
 * the store's methods are async on both engines, and a throw must reach the caller as a rejection.
 */
export function runSync<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
