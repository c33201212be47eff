import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loginThrottle } from '../schema.ts';
import { openTempDatabase } from '../testing.ts';
import {
  KNOWN_SOURCE_TTL_MS,
  type LoginAttemptSource,
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

const claim = (source: LoginAttemptSource, nowMs: number) =>
  claimLoginAttempt(database.db, source, policy, nowMs);
const succeed = (source: LoginAttemptSource, nowMs: number) =>
  recordSuccessfulLoginAttempt(database.db, source, nowMs);
const rows = () => database.db.select().from(loginThrottle).all();

describe('loginThrottleKeys', () => {
  it('keys by the digest of the normalised email, never the address itself', () => {
    const keys = loginThrottleKeys({ email: ' Alice@Example.org ', ipKey: 'ip:10.0.0.1' });
    const digest = emailSha256('alice@example.org');
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    expect(keys).toEqual({
      pair: `pair:${digest}:ip:10.0.0.1`,
      account: `account:${digest}`,
      knownIp: `known:${digest}:ip:10.0.0.1`,
    });
    expect(loginThrottleKeys({ ...alice(), deviceKey: 'd1' }).knownDevice).toBe(
      `device:${digest}:d1`,
    );
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
    succeed(alice(), 2_500);
    const keys = loginThrottleKeys(alice());
    expect(rows().find((r) => r.key === keys.pair)).toBeUndefined();
    expect(rows().find((r) => r.key === keys.account)).toMatchObject({ failures: 2 });
    expect(claim(alice(), 3_000)).toMatchObject({ pairFailures: 1, accountFailures: 3 });
  });

  it('leaves no failure row behind for a sign-in with no failures before it, only its known IP', () => {
    claim(alice(), 1_000);
    succeed(alice(), 1_000);
    expect(rows()).toEqual([
      {
        key: loginThrottleKeys(alice()).knownIp,
        failures: 0,
        windowStartedAt: 1_000,
        blockedUntil: 1_000 + KNOWN_SOURCE_TTL_MS,
      },
    ]);
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
    const bob = loginThrottleKeys({ email: 'bob@example.org', ipKey: 'ip:10.0.0.1' });
    expect(rows().map((r) => r.key)).toEqual([bob.pair, bob.account]);
    expect(claim(alice(), 3_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
  });
});

describe('pruneLoginThrottle', () => {
  it('deletes rows whose window ran out and whose block (if any) is over', () => {
    claim({ email: 'old@example.org', ipKey: 'ip:1' }, 1_000);
    for (let i = 0; i < 3; i += 1) claim(alice(), 1_000); // pair blocked until 61_000
    claim({ email: 'new@example.org', ipKey: 'ip:1' }, 30_000);
    expect(pruneLoginThrottle(database.db, 61_000, policy.lockoutMs)).toBe(4);
    const fresh = loginThrottleKeys({ email: 'new@example.org', ipKey: 'ip:1' });
    expect(rows().map((r) => r.key)).toEqual([fresh.pair, fresh.account]);
  });

  it('keeps a known IP or device until its expiry, then deletes it', () => {
    succeed({ ...alice(), deviceKey: 'd1' }, 1_000);
    const expiry = 1_000 + KNOWN_SOURCE_TTL_MS;
    expect(pruneLoginThrottle(database.db, expiry - 1, policy.lockoutMs)).toBe(0);
    expect(rows()).toHaveLength(2);
    expect(pruneLoginThrottle(database.db, expiry, policy.lockoutMs)).toBe(2);
    expect(rows()).toEqual([]);
  });
});

/** Arms the account-wide delay of alice from `count` fresh IPs at `nowMs`; returns when it ends. */
function armAccountDelay(nowMs: number, count = policy.accountFailures): number {
  let until = nowMs;
  for (let i = 0; i < count; i += 1) {
    const answer = claim(alice(`ip:10.9.${nowMs % 250}.${i}`), nowMs);
    if (answer.status === 'claimed' && answer.accountDelayedUntil !== null)
      until = answer.accountDelayedUntil;
  }
  return until;
}

describe('known places (where the account signed in successfully)', () => {
  const owner = alice('ip:10.0.0.1');
  const phone = { ...alice('ip:10.7.7.7'), deviceKey: 'device-digest' };

  it('a known IP skips the running account-wide delay; a fresh IP still waits', () => {
    succeed(owner, 1_000);
    const until = armAccountDelay(2_000);
    expect(until).toBeGreaterThan(2_000);
    expect(claim(alice('ip:10.0.2.1'), 2_001)).toMatchObject({
      status: 'throttled',
      scope: 'account',
    });
    expect(claim(owner, 2_001)).toMatchObject({
      status: 'claimed',
      knownSource: 'ip',
      accountDelayedUntil: null,
    });
    // The known IP's failure is counted on the account but does not lengthen everyone's wait.
    const account = rows().find((r) => r.key === loginThrottleKeys(owner).account);
    expect(account).toMatchObject({ failures: policy.accountFailures + 1, blockedUntil: until });
  });

  it("a known IP's own pair block still applies", () => {
    succeed(owner, 1_000);
    armAccountDelay(2_000);
    for (let i = 0; i < policy.maxFailures; i += 1)
      expect(claim(owner, 2_001)).toMatchObject({ status: 'claimed', knownSource: 'ip' });
    expect(claim(owner, 2_002)).toMatchObject({ status: 'throttled', scope: 'pair' });
  });

  it('a known IP expires KNOWN_SOURCE_TTL_MS after its last success, and each success refreshes it', () => {
    succeed(owner, 1_000);
    succeed(owner, 1_000 + KNOWN_SOURCE_TTL_MS / 2);
    const lastSuccess = 1_000 + KNOWN_SOURCE_TTL_MS / 2;
    expect(rows().find((r) => r.key === loginThrottleKeys(owner).knownIp)).toMatchObject({
      windowStartedAt: lastSuccess,
      blockedUntil: lastSuccess + KNOWN_SOURCE_TTL_MS,
    });
    const stillKnownAt = lastSuccess + KNOWN_SOURCE_TTL_MS - 10_000;
    armAccountDelay(stillKnownAt);
    expect(claim(owner, stillKnownAt + 1)).toMatchObject({ status: 'claimed', knownSource: 'ip' });

    const expiredAt = lastSuccess + KNOWN_SOURCE_TTL_MS;
    armAccountDelay(expiredAt);
    expect(claim(owner, expiredAt + 1)).toMatchObject({ status: 'throttled', scope: 'account' });
  });

  it('a known device skips the delay and its pair block from any IP, and is forgotten after maxFailures wrong passwords', () => {
    succeed(phone, 1_000);
    const elsewhere = { ...phone, ipKey: 'ip:10.8.8.8' };
    // Someone else behind the same address blocks the pair (without the device id).
    for (let i = 0; i < policy.maxFailures; i += 1) claim(alice('ip:10.8.8.8'), 1_500);
    armAccountDelay(2_000);
    expect(claim({ ...elsewhere, deviceKey: 'another' }, 2_001).status).toBe('throttled');
    // The device got past the pair block and the account-wide delay, but each try is counted…
    for (let i = 1; i < policy.maxFailures; i += 1)
      expect(claim(elsewhere, 2_001)).toMatchObject({ status: 'claimed', knownSource: 'device' });
    // …and the last allowed one forgets the device: a stolen id is worth maxFailures guesses.
    expect(claim(elsewhere, 2_001)).toMatchObject({ status: 'claimed', knownSource: 'device' });
    expect(rows().some((r) => r.key === loginThrottleKeys(phone).knownDevice)).toBe(false);
    expect(claim(elsewhere, 2_002).status).toBe('throttled');
  });

  it("a success resets the known device's failures", () => {
    succeed(phone, 1_000);
    for (let i = 1; i < policy.maxFailures; i += 1) claim(phone, 1_100);
    succeed(phone, 1_200);
    expect(rows().find((r) => r.key === loginThrottleKeys(phone).knownDevice)).toMatchObject({
      failures: 0,
      blockedUntil: 1_200 + KNOWN_SOURCE_TTL_MS,
    });
  });

  it('a known place of one account does nothing for another email from the same IP and device', () => {
    succeed(phone, 1_000);
    const nobody = { email: 'nobody@example.org', ipKey: phone.ipKey, deviceKey: phone.deviceKey };
    for (let i = 0; i < policy.accountFailures; i += 1)
      claim({ email: 'nobody@example.org', ipKey: `ip:10.6.6.${i}` }, 2_000);
    expect(claim(nobody, 2_001)).toMatchObject({ status: 'throttled', scope: 'account' });
  });

  it('clearLoginThrottle forgets them (a new password), unless keepKnownSources (admin unlock)', () => {
    succeed(phone, 1_000);
    claim(alice('ip:10.0.0.9'), 2_000);
    const keys = loginThrottleKeys(phone);
    expect(clearLoginThrottle(database.db, 'alice@example.org', { keepKnownSources: true })).toBe(
      2,
    );
    expect(
      rows()
        .map((r) => r.key)
        .sort(),
    ).toEqual([keys.knownDevice, keys.knownIp].sort());
    expect(clearLoginThrottle(database.db, 'alice@example.org')).toBe(2);
    expect(rows()).toEqual([]);
  });

  it('are not reported as a block to admins', () => {
    succeed(phone, 1_000);
    expect(loginThrottleBlockedUntil(database.db, 'alice@example.org', 2_000)).toBeNull();
  });
});
