import type { Logger } from 'pino';

/**
 * Whether a shared rate-limit store answers, as the counts see it. Logs once when the store stops
 * answering and once when it answers again (never per request), and while it is down lets one
 * count try it again at most every `retryMs`: a store that hangs instead of refusing costs one
 * timeout per `retryMs`, not one per request.
 */
export class StoreHealth {
  #downSinceMs: number | null = null;
  #retryAtMs = 0;

  constructor(
    readonly logger: Logger,
    /** What the log lines name, e.g. `Redis at redis://cache:6379` (never a password). */
    readonly storeName: string,
    readonly retryMs: number,
  ) {}

  get isDown(): boolean {
    return this.#downSinceMs !== null;
  }

  /** Whether this count should ask the store: always while it is up, one count per `retryMs` while down. */
  shouldTry(nowMs: number): boolean {
    if (this.#downSinceMs === null) return true;
    if (nowMs < this.#retryAtMs) return false;
    this.#retryAtMs = nowMs + this.retryMs;
    return true;
  }

  /** The store failed or timed out: counts go to this process's memory until it answers again. */
  failed(error: unknown, nowMs: number): void {
    this.#retryAtMs = nowMs + this.retryMs;
    if (this.#downSinceMs !== null) return;
    this.#downSinceMs = nowMs;
    this.logger.warn(
      { store: this.storeName, reason: (error as Error)?.message ?? String(error) },
      'the shared rate-limit store does not answer; counting in this process only until it does (each replica then allows the full limit)',
    );
  }

  /** The store answered a count. */
  answered(nowMs: number): void {
    if (this.#downSinceMs === null) return;
    this.logger.info(
      { store: this.storeName, downMs: nowMs - this.#downSinceMs },
      'the shared rate-limit store answers again; counting there',
    );
    this.#downSinceMs = null;
  }
}
