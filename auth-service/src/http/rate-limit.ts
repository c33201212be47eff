import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { clientIp, parseIp } from './client-ip.ts';
import { apiError } from './error-catalog.ts';
import type { RequestCounterStore } from './request-counter-store.ts';

/**
 * Routes are limited by class, each class with its own counters. `refresh` is its own class:
 * renewing a token is not a password guess, and every open tab of an office does it.
 */
export type RateLimitClass = 'auth' | 'refresh' | 'token' | 'general';

export interface RateLimitConfig {
  windowMs: number;
  /**
   * Most keys (client IPs and users) one route class tracks at once in this process's memory
   * (the memory store, and a shared store's fallback); past it the oldest window is dropped.
   */
  maxKeys: number;
  /** Requests per window in each class, per client IP, and per user on routes that sign the caller in. */
  perWindow: Record<RateLimitClass, number>;
  /** Where the counts live: see `http/request-counter-store.ts`. */
  store: RequestCounterStoreConfig;
}

/**
 * `memory`: this process counts alone (one replica). `redis`: every replica counts in one Redis
 * (REDIS_URL), and in its own memory while Redis does not answer within `timeoutMs`.
 * `postgres`: the same, in the PostgreSQL database the replicas share (DATABASE_URL without
 * REDIS_URL).
 */
export type RequestCounterStoreConfig =
  | { kind: 'memory' }
  | {
      kind: 'postgres';
      /** DATABASE_URL; it may hold a password, so it is never logged (the logger redacts it). */
      databaseUrl: string;
      timeoutMs: number;
    }
  | {
      kind: 'redis';
      /** REDIS_URL; it may hold a password, so it is never logged (the logger redacts `redisUrl`). */
      redisUrl: string;
      /** Starts every key (REDIS_KEY_PREFIX), so deployments sharing a server keep apart. */
      keyPrefix: string;
      timeoutMs: number;
    };

export interface Quota {
  allowed: boolean;
  limit: number;
  /** Requests left in the window after this one. */
  remaining: number;
  resetAtMs: number;
}

interface Window {
  count: number;
  resetAtMs: number;
}

/**
 * Counts requests per key, in fixed windows that start at a key's first request: in this
 * process's memory, or in a store the replicas share (`http/request-counter-store.ts`).
 */
export interface RequestCounter {
  /** Counts one request of `key`; `allowed` is false once the window's quota is used up. */
  hit(key: string, nowMs: number): Promise<Quota>;
}

/**
 * Fixed windows in memory, one per key, starting at the key's first request. Memory is bounded:
 * windows are kept in the order they started (all have the same length, so that is also the
 * order they end); each hit drops the ended ones from the front, and at `maxKeys` the oldest
 * window is dropped to make room (its key starts afresh).
 */
export class FixedWindowCounter {
  readonly #windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys: number,
  ) {}

  /** Keys tracked now. */
  get size(): number {
    return this.#windows.size;
  }

  /** Counts one request of `key` if the window has room; a refused request is not counted. */
  hit(key: string, nowMs: number): Quota {
    this.#dropEnded(nowMs);
    let window = this.#windows.get(key);
    if (window && window.resetAtMs <= nowMs) {
      this.#windows.delete(key);
      window = undefined;
    }
    if (!window) {
      if (this.#windows.size >= this.maxKeys) {
        const oldest = this.#windows.keys().next();
        if (!oldest.done) this.#windows.delete(oldest.value);
      }
      window = { count: 0, resetAtMs: nowMs + this.windowMs };
      this.#windows.set(key, window);
    }
    if (window.count >= this.limit)
      return { allowed: false, limit: this.limit, remaining: 0, resetAtMs: window.resetAtMs };
    window.count += 1;
    return {
      allowed: true,
      limit: this.limit,
      remaining: this.limit - window.count,
      resetAtMs: window.resetAtMs,
    };
  }

  #dropEnded(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (window.resetAtMs > nowMs) break;
      this.#windows.delete(key);
    }
  }
}

/**
 * The per-IP key: the address for IPv4, its /64 network for IPv6 (one subscriber usually holds a
 * whole /64, so single IPv6 addresses would let one client spread over 2^64 keys).
 */
export function ipRateLimitKey(ip: string | null): string {
  const parsed = ip === null ? undefined : parseIp(ip);
  if (!parsed) return `ip:${ip ?? 'unknown'}`;
  if (parsed.kind() === 'ipv4') return `ip:${parsed.toString()}`;
  const network = (parsed as { parts: number[] }).parts
    .slice(0, 4)
    .map((part) => part.toString(16));
  return `ip:${network.join(':')}::/64`;
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers) for a quota. */
export function rateLimitHeaders(
  quota: Quota,
  nowMs: number,
  windowMs: number,
): Record<string, string> {
  return {
    'RateLimit-Limit': String(quota.limit),
    'RateLimit-Remaining': String(quota.remaining),
    'RateLimit-Reset': String(secondsUntil(quota.resetAtMs, nowMs)),
    'RateLimit-Policy': `${quota.limit};w=${Math.ceil(windowMs / 1000)}`,
  };
}

function secondsUntil(atMs: number, nowMs: number): number {
  return Math.max(1, Math.ceil((atMs - nowMs) / 1000));
}

/** The middleware that count requests of one class, per client IP and per signed-in user. */
export interface RateLimiter {
  /** Counts the request against its client IP's quota of `routeClass`; answers 429 past it. */
  perIp(routeClass: RateLimitClass): MiddlewareHandler<AppEnv>;
  /** Counts it against the caller's quota too; runs after authentication, which sets `caller`. */
  perUser(routeClass: RateLimitClass): MiddlewareHandler<AppEnv>;
}

/**
 * One set of counters per class. Every limited response carries the RateLimit-* fields of the
 * tightest quota that applied to it (IP or user); a refused one is a 429 `rate_limited` with
 * `Retry-After`. Which class and keys apply is each route's policy (`http/route-guard.ts`).
 */
export function createRateLimiter(
  config: RateLimitConfig,
  now: () => number,
  store: Pick<RequestCounterStore, 'counterFor'>,
): RateLimiter {
  const counters = Object.fromEntries(
    Object.entries(config.perWindow).map(([name, limit]) => [
      name,
      store.counterFor(name as RateLimitClass, limit),
    ]),
  ) as Record<RateLimitClass, RequestCounter>;
  // The quota whose headers this request shows, so the per-user count only replaces a looser one.
  const shown = new WeakMap<Context, Quota>();

  const count = async (c: Context, routeClass: RateLimitClass, key: string) => {
    const nowMs = now();
    const quota = await counters[routeClass].hit(key, nowMs);
    if (!quota.allowed) throw rateLimited(quota, nowMs, config.windowMs);
    const before = shown.get(c);
    if (before && before.remaining <= quota.remaining) return;
    shown.set(c, quota);
    setHeaders(c, rateLimitHeaders(quota, nowMs, config.windowMs));
  };
  return {
    perIp: (routeClass) => async (c, next) => {
      await count(c, routeClass, ipRateLimitKey(clientIp(c)));
      await next();
    },
    perUser: (routeClass) => async (c, next) => {
      await count(c, routeClass, `user:${c.get('caller').user.id}`);
      await next();
    },
  };
}

function setHeaders(c: Context, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}

function rateLimited(quota: Quota, nowMs: number, windowMs: number) {
  const retryAfter = secondsUntil(quota.resetAtMs, nowMs);
  return apiError('rate_limited', `Too many requests; try again in ${retryAfter} s`, {
    headers: { 'Retry-After': String(retryAfter), ...rateLimitHeaders(quota, nowMs, windowMs) },
  });
}
