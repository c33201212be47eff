import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loginThrottle } from '../schema.ts';
import { openTempDatabase } from '../testing.ts';
import {
  claimLoginAttempt,
  clearLoginThrottle,
  emailSha256,
  loginThrottleBlockedUntil,
  loginThrottleKeys,
  pruneLoginThrottle,
  recordSuccessfulLoginAttempt,
} from './login-throttle.ts';

const policy = { maxFailures: 3, lockoutMs: 60_000, accountFailures: 5, accountMaxDelayMs: 8_000 };
const alice = (ipKey = 'ip:10.0.0.1') => ({ email: 'alice@example.org', ipKey });

let database: ReturnType<typeof openTempDatabase>;
beforeEach(() => {
  database = openTempDatabase();
});
afterEach(() => database.remove());

const claim = (source: { email: string; ipKey: string }, nowMs: number) =>
  claimLoginAttempt(database.db, source, policy, nowMs);
const rows = () => database.db.select().from(loginThrottle).all();

describe('loginThrottleKeys', () => {
  it('keys by the digest of the normalised email, never the address itself', () => {
    const keys = loginThrottleKeys({ email: ' Alice@Example.org ', ipKey: 'ip:10.0.0.1' });
    const digest = emailSha256('alice@example.org');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(keys).toEqual({ pair: `pair:${digest}:ip:10.0.0.1`, account: `account:${digest}` });
  });
});

describe('the pair block (one account from one client IP)', () => {
  it('blocks the pair on the maxFailures-th failure for lockoutMs, without counting refused attempts', () => {
    expect(claim(alice(), 1_000)).toMatchObject({
      status: 'claimed',
      pairFailures: 1,
      pairBlockedUntil: null,
    });
    claim(alice(), 2_000);
    expect(claim(alice(), 3_000)).toMatchObject({
      status: 'claimed',
      pairFailures: 3,
      pairBlockedUntil: 63_000,
    });
    expect(claim(alice(), 4_000)).toEqual({
      status: 'throttled',
      retryAfterMs: 59_000,
      scope: 'pair',
    });
    expect(claim(alice(), 62_999)).toMatchObject({ status: 'throttled', retryAfterMs: 1 });
    // The block is not extended by refused attempts, and a fresh count starts after it.
    expect(claim(alice(), 63_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
  });

  it('leaves other client IPs of the same account alone', () => {
    for (let i = 0; i < 3; i += 1) claim(alice(), 1_000);
    expect(claim(alice(), 2_000).status).toBe('throttled');
    expect(claim(alice('ip:10.0.0.2'), 2_000)).toMatchObject({
      status: 'claimed',
      pairFailures: 1,
    });
  });

  it('starts a fresh count when the window has run out without a block', () => {
    claim(alice(), 1_000);
    claim(alice(), 2_000);
    expect(claim(alice(), 61_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
  });

  it('counts an email with no account exactly like one with an account', () => {
    const nobody = { email: 'nobody@example.org', ipKey: 'ip:10.0.0.1' };
    const answers = (source: typeof nobody) =>
      Array.from({ length: 5 }, (_, i) => claim(source, 1_000 + i));
    expect(answers(nobody)).toEqual(answers(alice()));
  });
});

describe('the account-wide delay', () => {
  it('from the accountFailures-th failure, makes each next check wait 1 s, 2 s, 4 s … up to the cap', () => {
    const delays: (number | null)[] = [];
    let nowMs = 1_000;
    // Every guess from a new IP, so no pair block interferes.
    for (let i = 0; i < 9; i += 1) {
      const answer = claim(alice(`ip:10.0.1.${i}`), nowMs);
      if (answer.status !== 'claimed') throw new Error(`refused guess ${i}`);
      delays.push(answer.accountDelayedUntil === null ? null : answer.accountDelayedUntil - nowMs);
      nowMs = answer.accountDelayedUntil ?? nowMs;
    }
    expect(delays).toEqual([null, null, null, null, 1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('refuses attempts inside the delay from any IP, without counting them', () => {
    for (let i = 0; i < 5; i += 1) claim(alice(`ip:10.0.1.${i}`), 1_000);
    expect(claim(alice('ip:10.0.2.1'), 1_500)).toEqual({
      status: 'throttled',
      retryAfterMs: 500,
      scope: 'account',
    });
    expect(claim(alice('ip:10.0.2.1'), 2_000)).toMatchObject({
      status: 'claimed',
      accountFailures: 6,
    });
  });

  it('holds against a burst: of many claims at once only the first accountFailures+1 pass', () => {
    const answers = Array.from({ length: 50 }, (_, i) => claim(alice(`ip:10.0.3.${i}`), 5_000));
    expect(answers.filter((a) => a.status === 'claimed')).toHaveLength(policy.accountFailures);
  });
});

describe('a successful sign-in', () => {
  it('clears the pair and takes its own claimed failure back from the account count', () => {
    claim(alice(), 1_000);
    claim(alice('ip:10.0.0.2'), 1_000);
    claim(alice(), 2_000);
    recordSuccessfulLoginAttempt(database.db, alice());
    const keys = loginThrottleKeys(alice());
    expect(rows().find((r) => r.key === keys.pair)).toBeUndefined();
    expect(rows().find((r) => r.key === keys.account)).toMatchObject({ failures: 2 });
    expect(claim(alice(), 3_000)).toMatchObject({ pairFailures: 1, accountFailures: 3 });
  });

  it('leaves no row behind for a sign-in with no failures before it', () => {
    claim(alice(), 1_000);
    recordSuccessfulLoginAttempt(database.db, alice());
    expect(rows()).toEqual([]);
  });
});

describe('clearLoginThrottle and loginThrottleBlockedUntil', () => {
  it('reports the latest running block of the email, and clearing forgets every key of it only', () => {
    // Pair 1 blocked until 61 s; the fifth failure (from pair 2) delays the account until 3 s.
    for (let i = 0; i < 3; i += 1) claim(alice('ip:10.0.0.1'), 1_000);
    for (let i = 0; i < 2; i += 1) claim(alice('ip:10.0.0.2'), 2_000);
    claim({ email: 'bob@example.org', ipKey: 'ip:10.0.0.1' }, 2_000);
    expect(loginThrottleBlockedUntil(database.db, 'Alice@example.org', 2_000)).toBe(61_000);
    expect(loginThrottleBlockedUntil(database.db, 'alice@example.org', 61_000)).toBeNull();
    expect(loginThrottleBlockedUntil(database.db, 'bob@example.org', 2_000)).toBeNull();

    expect(clearLoginThrottle(database.db, 'alice@example.org')).toBe(3);
    expect(rows().map((r) => r.key)).toEqual(
      Object.values(loginThrottleKeys({ email: 'bob@example.org', ipKey: 'ip:10.0.0.1' })),
    );
    expect(claim(alice(), 3_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
  });
});

describe('pruneLoginThrottle', () => {
  it('deletes rows whose window ran out and whose block (if any) is over', () => {
    claim({ email: 'old@example.org', ipKey: 'ip:1' }, 1_000);
    for (let i = 0; i < 3; i += 1) claim(alice(), 1_000); // pair blocked until 61_000
    claim({ email: 'new@example.org', ipKey: 'ip:1' }, 30_000);
    expect(pruneLoginThrottle(database.db, 61_000, policy.lockoutMs)).toBe(4);
    expect(rows().map((r) => r.key)).toEqual(
      Object.values(loginThrottleKeys({ email: 'new@example.org', ipKey: 'ip:1' })),
    );
  });
});
