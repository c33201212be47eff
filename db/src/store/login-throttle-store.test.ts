import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  KNOWN_SOURCE_TTL_MS,
  type LoginAttemptClaim,
  type LoginAttemptSource,
} from '../queries/login-throttle.ts';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

const policy = { maxFailures: 3, lockoutMs: 60_000, accountFailures: 5, accountMaxDelayMs: 8_000 };
const alice = (ipKey = 'ip:10.0.0.1', deviceKey?: string): LoginAttemptSource => ({
  email: 'alice@example.org',
  ipKey,
  ...(deviceKey === undefined ? {} : { deviceKey }),
});

describe.each(STORE_ENGINES)('the login throttle on %s', (engine) => {
  let t: TestStore;
  beforeEach(async () => {
    t = await openTestStore(engine);
  });
  afterEach(() => t.close());

  const claim = (source: LoginAttemptSource, nowMs: number, p = policy) =>
    t.store.loginThrottle.claim(source, p, nowMs);

  it('blocks a pair on its maxFailures-th failure, and only that pair', async () => {
    expect(await claim(alice(), 1_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
    await claim(alice(), 2_000);
    expect(await claim(alice(), 3_000)).toMatchObject({
      pairFailures: 3,
      pairBlockedUntil: 63_000,
    });
    expect(await claim(alice(), 4_000)).toEqual({
      status: 'throttled',
      retryAfterMs: 59_000,
      scope: 'pair',
    });
    expect(await claim(alice('ip:10.0.0.2'), 4_000)).toMatchObject({ pairFailures: 1 });
    expect(await claim(alice(), 63_000)).toMatchObject({ status: 'claimed', pairFailures: 1 });
  });

  it('delays the account 1 s, 2 s, 4 s … from the accountFailures-th failure, from any IP', async () => {
    const delays: (number | null)[] = [];
    let nowMs = 1_000;
    for (let i = 0; i < 8; i += 1) {
      const answer = await claim(alice(`ip:10.0.1.${i}`), nowMs);
      if (answer.status !== 'claimed') throw new Error(`refused guess ${i}`);
      delays.push(answer.accountDelayedUntil === null ? null : answer.accountDelayedUntil - nowMs);
      nowMs = answer.accountDelayedUntil ?? nowMs;
    }
    expect(delays).toEqual([null, null, null, null, 1_000, 2_000, 4_000, 8_000]);
    expect(await claim(alice('ip:10.0.2.1'), nowMs - 1)).toEqual({
      status: 'throttled',
      retryAfterMs: 1,
      scope: 'account',
    });
  });

  it('records the audit entry a claim asks for, in its unit', async () => {
    await t.addUser('alice');
    const audit = (answer: LoginAttemptClaim) =>
      answer.status === 'throttled'
        ? {
            action: 'login_failure',
            actorId: null,
            target: 'alice',
            ip: null,
            detail: { scope: answer.scope },
          }
        : null;
    for (let i = 0; i < 4; i += 1) await t.store.loginThrottle.claim(alice(), policy, 1_000, audit);
    expect(await t.auditEntries()).toEqual([
      { action: 'login_failure', actorId: null, target: 'alice', detail: { scope: 'pair' } },
    ]);
  });

  it('a success clears the pair, takes its failure back and makes the IP known', async () => {
    await claim(alice(), 1_000);
    await claim(alice('ip:10.0.0.2'), 1_000);
    await claim(alice(), 2_000);
    await t.store.loginThrottle.settle(alice(), 2_500);
    expect(await claim(alice(), 3_000)).toMatchObject({ pairFailures: 1, accountFailures: 3 });
    // From the known IP the account-wide delay is skipped; from a fresh IP it is not.
    for (let i = 0; i < 3; i += 1) await claim(alice(`ip:10.0.5.${i}`), 4_000);
    expect(await claim(alice('ip:10.0.6.1'), 4_000)).toMatchObject({ status: 'throttled' });
    expect(await claim(alice(), 4_000)).toMatchObject({ status: 'claimed', knownSource: 'ip' });
  });

  it('a known device skips blocks until maxFailures wrong passwords forget it', async () => {
    await t.store.loginThrottle.settle(alice('ip:1', 'd1'), 1_000);
    for (let i = 0; i < 3; i += 1) await claim(alice('ip:2'), 2_000); // pair ip:2 blocked
    expect(await claim(alice('ip:2', 'd1'), 2_000)).toMatchObject({
      status: 'claimed',
      knownSource: 'device',
    });
    await claim(alice('ip:2', 'd1'), 2_000);
    await claim(alice('ip:2', 'd1'), 2_000); // the third wrong one forgets the device
    expect(await claim(alice('ip:2', 'd1'), 2_000)).toMatchObject({ status: 'throttled' });
  });

  it('reports and clears an email’s blocks, keeping known places on an unlock', async () => {
    await t.store.loginThrottle.settle(alice('ip:9'), 500);
    for (let i = 0; i < 3; i += 1) await claim(alice(), 1_000);
    for (let i = 0; i < 2; i += 1) await claim(alice('ip:10.0.0.2'), 2_000);
    await claim({ email: 'bob@example.org', ipKey: 'ip:10.0.0.1' }, 2_000);
    expect(await t.store.loginThrottle.blockedUntil('Alice@example.org', 2_000)).toBe(61_000);
    expect(await t.store.loginThrottle.blockedUntil('bob@example.org', 2_000)).toBeNull();
    // Two pairs and the account; the known IP stays.
    expect(
      await t.store.loginThrottle.clear('alice@example.org', { keepKnownSources: true }, 3_000),
    ).toBe(3);
    expect(await t.store.loginThrottle.blockedUntil('alice@example.org', 3_000)).toBeNull();
    expect(await t.store.loginThrottle.clear('alice@example.org', {}, 3_000)).toBe(1);
    expect(await claim({ email: 'bob@example.org', ipKey: 'ip:10.0.0.1' }, 3_000)).toMatchObject({
      pairFailures: 2,
    });
  });

  it('prunes rows whose window and block ran out, and known places once expired', async () => {
    await claim({ email: 'old@example.org', ipKey: 'ip:1' }, 1_000);
    await t.store.loginThrottle.settle(alice('ip:1', 'd1'), 1_000);
    expect(await t.store.loginThrottle.prune(61_000, policy.lockoutMs)).toBe(2);
    expect(await t.store.loginThrottle.prune(1_000 + KNOWN_SOURCE_TTL_MS, policy.lockoutMs)).toBe(
      2,
    );
  });

  it('counts exactly 10 of 10 concurrent failures on one key over two replicas', async () => {
    const replicas = [t.store, await t.replica()];
    const roomy = { ...policy, maxFailures: 100, accountFailures: 100 };
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas[i % 2]!.loginThrottle.claim(alice(), roomy, 1_000 + i),
      ),
    );
    const counts = answers.map((a) => (a.status === 'claimed' ? a.pairFailures : 0));
    expect(counts.sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(await claim(alice(), 2_000, roomy)).toMatchObject({
      pairFailures: 11,
      accountFailures: 11,
    });
  });

  it('lets exactly maxFailures of a concurrent burst from one pair through, over two replicas', async () => {
    const replicas = [t.store, await t.replica()];
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        replicas[i % 2]!.loginThrottle.claim(alice(), policy, 1_000),
      ),
    );
    expect(answers.filter((a) => a.status === 'claimed')).toHaveLength(policy.maxFailures);
  });
});
