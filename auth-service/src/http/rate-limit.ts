import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env.ts';
import { ApiError } from './api-error.ts';
import { clientIp, parseIp } from './client-ip.ts';

/** Routes are limited by class, each class with its own counters. */
export type RouteClass = 'auth' | 'token' | 'general';

export interface RateLimitConfig {
  windowMs: number;
  /** Most keys (client IPs and users) one route class tracks at once; past it the oldest window is dropped. */
  maxKeys: number;
  /** Requests per window in each class, per client IP, and per user on routes that sign the caller in. */
  perWindow: Record<RouteClass, number>;
}

// Routes that check a password are held to the sign-in limit too, so a stolen access token
// cannot be used to guess the password behind it.
const AUTH_ROUTES = new Set([
  'POST /auth/register',
  'POST /auth/login',
  'POST /auth/refresh',
  'POST /auth/guest',
  'POST /me/password',
  'DELETE /me',
]);
const TOKEN_ROUTES = new Set(['POST /auth/token']);
/** Probes and LiveKit's own signed webhook are never limited. */
const UNLIMITED_ROUTES = new Set([
  'GET /health',
  'HEAD /health',
  'GET /ready',
  'HEAD /ready',
  'POST /livekit/webhook',
]);

/** The class of a request, or `undefined` when it is not limited. Unknown paths are `general`. */
export function routeClassOf(method: string, path: string): RouteClass | undefined {
  const route = `${method} ${path}`;
  if (UNLIMITED_ROUTES.has(route)) return undefined;
  if (AUTH_ROUTES.has(route)) return 'auth';
  if (TOKEN_ROUTES.has(route)) return 'token';
  return 'general';
}

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

/** What `requireUser` calls once it knows the caller. */
export interface RateLimitHook {
  /** Counts the request against the user's quota; throws the 429 when it is used up. */
  limitUser(userId: string): void;
}

/**
 * Per-IP limits before anything else runs and per-user limits once `requireUser` knows the
 * caller (through the `rateLimit` hook it finds on the context); `auth` routes have no user yet,
 * so they are limited per IP only. Every limited response carries the RateLimit-* fields of the
 * tightest quota that applied; a refused one is a 429 `rate_limited` with `Retry-After`.
 */
export function rateLimit(config: RateLimitConfig, now: () => number): MiddlewareHandler<AppEnv> {
  const counters: Record<RouteClass, FixedWindowCounter> = {
    auth: new FixedWindowCounter(config.perWindow.auth, config.windowMs, config.maxKeys),
    token: new FixedWindowCounter(config.perWindow.token, config.windowMs, config.maxKeys),
    general: new FixedWindowCounter(config.perWindow.general, config.windowMs, config.maxKeys),
  };

  return async (c, next) => {
    const routeClass = routeClassOf(c.req.method, c.req.path);
    if (!routeClass) return next();
    const counter = counters[routeClass];
    let shown: Quota | undefined;
    const count = (key: string) => {
      const nowMs = now();
      const quota = counter.hit(key, nowMs);
      if (!quota.allowed) throw rateLimited(quota, nowMs, config.windowMs);
      if (shown && shown.remaining <= quota.remaining) return;
      shown = quota;
      setHeaders(c, rateLimitHeaders(quota, nowMs, config.windowMs));
    };
    count(ipRateLimitKey(clientIp(c)));
    // Sign-in routes have no user yet; the signed-in routes of the class (those that check the
    // caller's password) are counted per user as well, so many IPs do not buy more guesses.
    c.set('rateLimit', { limitUser: (userId) => count(`user:${userId}`) });
    await next();
  };
}

function setHeaders(c: Context, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
}

function rateLimited(quota: Quota, nowMs: number, windowMs: number): ApiError {
  const retryAfter = secondsUntil(quota.resetAtMs, nowMs);
  return new ApiError(
    429,
    'rate_limited',
    `Too many requests; try again in ${retryAfter} s`,
    undefined,
    {
      'Retry-After': String(retryAfter),
      ...rateLimitHeaders(quota, nowMs, windowMs),
    },
  );
}
