import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { type TestServer, registerUser, startTestServer } from '../testing/test-server.ts';
import { FixedWindowCounter, ipRateLimitKey } from './rate-limit.ts';

describe('FixedWindowCounter', () => {
  it('allows `limit` requests per key per window, then refuses without counting, then starts afresh', () => {
    const counter = new FixedWindowCounter(3, 60_000, 100);
    expect(counter.hit('a', 1_000)).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAtMs: 61_000,
    });
    expect(counter.hit('a', 2_000).remaining).toBe(1);
    expect(counter.hit('a', 3_000)).toEqual({
      allowed: true,
      limit: 3,
      remaining: 0,
      resetAtMs: 61_000,
    });
    expect(counter.hit('a', 60_999)).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetAtMs: 61_000,
    });
    expect(counter.hit('b', 60_999).allowed).toBe(true);
    expect(counter.hit('a', 61_000)).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetAtMs: 121_000,
    });
  });

  it('forgets ended windows as time passes', () => {
    const counter = new FixedWindowCounter(3, 60_000, 100);
    for (let i = 0; i < 50; i += 1) counter.hit(`ip${i}`, i);
    expect(counter.size).toBe(50);
    counter.hit('late', 60_025);
    expect(counter.size).toBe(25); // ip0…ip25 ended at or before 60 025 ms; ip26…ip49 and "late" remain
  });

  it('never tracks more than maxKeys: the oldest window makes room', () => {
    const counter = new FixedWindowCounter(1, 60_000, 3);
    for (const key of ['a', 'b', 'c', 'd']) counter.hit(key, 0);
    expect(counter.size).toBe(3);
    expect(counter.hit('d', 1).allowed).toBe(false);
    expect(counter.hit('a', 1).allowed).toBe(true); // "a" was dropped, so it counts afresh
  });
});

describe('keys', () => {
  it('keys IPv4 clients by address and IPv6 clients by /64', () => {
    expect(ipRateLimitKey('203.0.113.7')).toBe('ip:203.0.113.7');
    expect(ipRateLimitKey('2001:db8:1:2:3:4:5:6')).toBe(ipRateLimitKey('2001:db8:1:2:ffff::1'));
    expect(ipRateLimitKey('2001:db8:1:2::1')).not.toBe(ipRateLimitKey('2001:db8:1:3::1'));
    expect(ipRateLimitKey(null)).toBe('ip:unknown');
  });
});

describe('settings', () => {
  it('default to auth 100, refresh 300, token 30, general 300 per minute, on', () => {
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).rateLimit).toEqual({
      windowMs: 60_000,
      maxKeys: 50_000,
      perWindow: { auth: 100, refresh: 300, token: 30, general: 300 },
      store: { kind: 'memory' },
    });
    expect(
      loadConfig({ JWT_SECRET: 'x'.repeat(32), RATE_LIMIT_ENABLED: 'false' }).rateLimit,
    ).toBeNull();
    expect(() =>
      loadConfig({ JWT_SECRET: 'x'.repeat(32), RATE_LIMIT_AUTH_PER_MINUTE: '0' }),
    ).toThrow(/RATE_LIMIT_AUTH_PER_MINUTE/);
  });

  it('count in Redis with REDIS_URL, under REDIS_KEY_PREFIX, waiting at most RATE_LIMIT_STORE_TIMEOUT_MS', () => {
    const base = { JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ ...base, REDIS_URL: 'redis://cache:6379' }).rateLimit?.store).toEqual({
      kind: 'redis',
      redisUrl: 'redis://cache:6379',
      keyPrefix: 'attune:',
      timeoutMs: 250,
    });
    expect(
      loadConfig({
        ...base,
        REDIS_URL: 'rediss://:pw@cache.internal:6380/2',
        REDIS_KEY_PREFIX: 'staging:',
        RATE_LIMIT_STORE_TIMEOUT_MS: '50',
      }).rateLimit?.store,
    ).toMatchObject({ keyPrefix: 'staging:', timeoutMs: 50 });
    expect(() => loadConfig({ ...base, REDIS_KEY_PREFIX: 'has space' })).toThrow(
      /REDIS_KEY_PREFIX/,
    );
  });
});

type ErrorBody = { error: { code: string; message: string } };

function rateHeaders(response: Response) {
  return {
    limit: response.headers.get('ratelimit-limit'),
    remaining: response.headers.get('ratelimit-remaining'),
    reset: response.headers.get('ratelimit-reset'),
    policy: response.headers.get('ratelimit-policy'),
    retryAfter: response.headers.get('retry-after'),
  };
}

describe('the limiter in the app', () => {
  let server: TestServer;
  // 127.0.0.1 (the test client) is a trusted proxy here, so X-Forwarded-For plays the client IP.
  const from = (ip: string, init: RequestInit & { json?: unknown; token?: string } = {}) => {
    const headers: Record<string, string> = { 'x-forwarded-for': ip };
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    return {
      ...init,
      headers,
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
    };
  };
  const login = (ip: string) =>
    server.fetch(
      '/auth/login',
      from(ip, { method: 'POST', json: { email: 'nobody@example.org', password: 'not this one' } }),
    );

  beforeAll(async () => {
    server = await startTestServer({
      TRUSTED_PROXIES: '127.0.0.1',
      RATE_LIMIT_AUTH_PER_MINUTE: '3',
      RATE_LIMIT_REFRESH_PER_MINUTE: '2',
      RATE_LIMIT_TOKEN_PER_MINUTE: '4',
      RATE_LIMIT_GENERAL_PER_MINUTE: '5',
      MAX_SESSIONS_PER_USER: '100',
    });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses the auth request past the limit with 429 rate_limited, Retry-After and RateLimit-*, until the window ends', async () => {
    // Exact seconds below: real time passing between the requests (a busy machine) must not count.
    server.freezeClock();
    const ip = '198.51.100.1';
    const answers = [await login(ip), await login(ip), await login(ip)];
    expect(answers.map((r) => r.status)).toEqual([401, 401, 401]);
    expect(answers.map((r) => rateHeaders(r).remaining)).toEqual(['2', '1', '0']);
    expect(rateHeaders(answers[0]!)).toMatchObject({
      limit: '3',
      reset: '60',
      policy: '3;w=60',
      retryAfter: null,
    });

    server.advanceClock(20_000);
    const refused = await login(ip);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error).toEqual({
      code: 'rate_limited',
      message: 'Too many requests; try again in 40 s',
    });
    expect(rateHeaders(refused)).toEqual({
      limit: '3',
      remaining: '0',
      reset: '40',
      policy: '3;w=60',
      retryAfter: '40',
    });

    // Another client is not affected; the limited one is served again once its window ends.
    expect((await login('198.51.100.2')).status).toBe(401);
    server.advanceClock(40_000);
    const again = await login(ip);
    expect(again.status).toBe(401);
    expect(rateHeaders(again)).toMatchObject({ limit: '3', remaining: '2', reset: '60' });
  });

  it('counts register and guest with login in the auth class; refresh in its own', async () => {
    const ip = '198.51.100.3';
    const post = (path: string, json: unknown) =>
      server.fetch(path, from(ip, { method: 'POST', json }));
    const refresh = () => post('/auth/refresh', { refresh_token: 'x'.repeat(43) });
    expect(
      (
        await post('/auth/register', {
          email: 'rl-register@example.org',
          password: 'a good password',
          full_name: 'R',
        })
      ).status,
    ).toBe(201);
    expect((await post('/auth/guest', {})).status).toBe(201);
    // Refreshing does not use up sign-ins, and has its own quota (2 here).
    const refreshed = await refresh();
    expect(refreshed.status).toBe(401);
    expect(rateHeaders(refreshed)).toMatchObject({ limit: '2', remaining: '1' });
    expect((await refresh()).status).toBe(401);
    expect((await refresh()).status).toBe(429);
    expect(
      (await post('/auth/login', { email: 'rl-register@example.org', password: 'a good password' }))
        .status,
    ).toBe(200);
    expect(
      (await post('/auth/login', { email: 'rl-register@example.org', password: 'a good password' }))
        .status,
    ).toBe(429);
  });

  it('counts the password-checking signed-in routes per user in the auth class, across IPs', async () => {
    const dora = await registerUser(server);
    const change = (ip: string) =>
      server.fetch(
        '/me/password',
        from(ip, {
          method: 'POST',
          token: dora.accessToken,
          json: { current_password: 'not the password', new_password: 'another good password' },
        }),
      );
    const statuses = [];
    for (const ip of ['192.0.2.21', '192.0.2.22', '192.0.2.23', '192.0.2.24'])
      statuses.push((await change(ip)).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('limits POST /auth/token per user across IPs, and per IP across users', async () => {
    const alice = await registerUser(server);
    const bob = await registerUser(server);
    const mint = (ip: string, token: string) =>
      server.fetch('/auth/token', from(ip, { method: 'POST', json: {}, token }));

    // Alice from two addresses: her own quota (4) runs out before either address's.
    expect((await mint('203.0.113.1', alice.accessToken)).status).toBe(201);
    expect((await mint('203.0.113.1', alice.accessToken)).status).toBe(201);
    expect((await mint('203.0.113.2', alice.accessToken)).status).toBe(201);
    const last = await mint('203.0.113.2', alice.accessToken);
    expect(last.status).toBe(201);
    expect(rateHeaders(last)).toMatchObject({ limit: '4', remaining: '0' }); // the tighter of IP (2 left) and user (0 left)
    const refused = await mint('203.0.113.3', alice.accessToken);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as ErrorBody).error.code).toBe('rate_limited');
    expect(rateHeaders(refused)).toMatchObject({ limit: '4', remaining: '0' });
    expect(rateHeaders(refused).retryAfter).toMatch(/^\d+$/);

    // Bob shares 203.0.113.2 (two used): two more there, then the address is out.
    expect((await mint('203.0.113.2', bob.accessToken)).status).toBe(201);
    expect((await mint('203.0.113.2', bob.accessToken)).status).toBe(201);
    expect((await mint('203.0.113.2', bob.accessToken)).status).toBe(429);
    expect((await mint('203.0.113.4', bob.accessToken)).status).toBe(201);

    server.advanceClock(60_000);
    expect((await mint('203.0.113.3', alice.accessToken)).status).toBe(201);
  });

  it('limits every other route per IP and per user, and never /health, /ready or the webhook', async () => {
    const carol = await registerUser(server);
    const me = (ip: string) => server.fetch('/auth/me', from(ip, { token: carol.accessToken }));
    const statuses = [];
    for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5', '192.0.2.6'])
      statuses.push((await me(ip)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);

    const unknown = [];
    for (let i = 0; i < 6; i += 1)
      unknown.push((await server.fetch('/nowhere', from('192.0.2.9'))).status);
    expect(unknown).toEqual([404, 404, 404, 404, 404, 429]);

    for (let i = 0; i < 10; i += 1) {
      const health = await server.fetch('/health', from('192.0.2.9'));
      expect(health.status).toBe(200);
      expect(health.headers.get('ratelimit-limit')).toBeNull();
      expect((await server.fetch('/ready', from('192.0.2.9'))).status).toBe(200);
      const webhook = await server.fetch('/livekit/webhook', {
        method: 'POST',
        headers: { 'content-type': 'application/webhook+json', 'x-forwarded-for': '192.0.2.9' },
        body: '{}',
      });
      expect(webhook.status).toBe(401); // unsigned, but never 429
      expect(webhook.headers.get('ratelimit-limit')).toBeNull();
    }
  });

  it('cannot be dodged by forging X-Forwarded-For when the peer is not a trusted proxy', async () => {
    const direct = await startTestServer({ RATE_LIMIT_AUTH_PER_MINUTE: '2' });
    try {
      const statuses = [];
      for (let i = 0; i < 3; i += 1) {
        const response = await direct.fetch('/auth/login', {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-forwarded-for': `198.51.100.${i + 10}`,
          },
          body: JSON.stringify({ email: 'nobody@example.org', password: 'not this one' }),
        });
        statuses.push(response.status);
      }
      expect(statuses).toEqual([401, 401, 429]);
    } finally {
      await direct.close();
    }
  });

  it('is off with RATE_LIMIT_ENABLED=false', async () => {
    const off = await startTestServer({
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_AUTH_PER_MINUTE: '1',
    });
    try {
      for (let i = 0; i < 3; i += 1) {
        const response = await off.fetch('/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'nobody@example.org', password: 'not this one' }),
        });
        expect(response.status).toBe(401);
        expect(response.headers.get('ratelimit-limit')).toBeNull();
      }
    } finally {
      await off.close();
    }
  });
});
