import { RateLimiterRes } from 'rate-limiter-flexible';
import type { FixedWindowCounter, Quota, RequestCounter } from './rate-limit.ts';
import type { StoreHealth } from './store-health.ts';
import { withinTimeout } from './store-timeout.ts';

/**
 * The part of a rate-limiter-flexible store limiter (RateLimiterRedis, RateLimiterPostgres, …) a
 * count uses: it resolves while the key has points left and rejects with a `RateLimiterRes` once
 * it has none; any other rejection means the store itself failed.
 */
export interface StoreLimiter {
  consume(key: string, points?: number): Promise<RateLimiterRes>;
}

/**
 * One route class's counter in a store the replicas share, with this process's bounded in-memory
 * window as the fallback while the store fails or takes longer than `timeoutMs` (its `health`
 * says which, and logs the change). The timeout is kept here, not in the store's client, so every
 * store gets the same bound (see `withinTimeout`). The store limiter is a fixed window of the same length that starts at a key's first
 * request, as the in-memory one does, so the quota and headers read the same from either.
 *
 * The fallback is done here rather than with rate-limiter-flexible's `insuranceLimiter`: that
 * hook answers from memory without telling anyone why or when, and its memory limiter has no key
 * bound; here the switch is logged once with its reason, and the fallback is the same
 * `FixedWindowCounter` (bounded by RATE_LIMIT_MAX_KEYS) the single-process store uses.
 */
export class SharedRequestCounter implements RequestCounter {
  constructor(
    readonly limit: number,
    readonly store: StoreLimiter,
    readonly fallback: FixedWindowCounter,
    readonly health: StoreHealth,
    readonly timeoutMs: number,
  ) {}

  async hit(key: string, nowMs: number): Promise<Quota> {
    if (this.health.shouldTry(nowMs)) {
      try {
        const answer = await withinTimeout(this.store.consume(key), this.timeoutMs);
        this.health.answered(nowMs);
        return this.#quota(answer, true, nowMs);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          this.health.answered(nowMs);
          return this.#quota(error, false, nowMs);
        }
        this.health.failed(error, nowMs);
      }
    }
    return this.fallback.hit(key, nowMs);
  }

  #quota(answer: RateLimiterRes, allowed: boolean, nowMs: number): Quota {
    return {
      allowed,
      limit: this.limit,
      remaining: allowed ? answer.remainingPoints : 0,
      resetAtMs: nowMs + Math.max(0, answer.msBeforeNext),
    };
  }
}
