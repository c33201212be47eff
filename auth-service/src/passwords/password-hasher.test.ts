import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';
import { type PasswordHasher, createPasswordHasher } from './password-hasher.ts';

const servers: TestServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

describe('password hasher', () => {
  it('hashes with the configured cost and verifies', async () => {
    const hasher = createPasswordHasher(6, 1);
    try {
      const hash = await hasher.hash('open sesame');
      expect(hash).toMatch(/^\$2[aby]\$06\$/);
      expect(hash).not.toContain('open sesame');
      expect(await hasher.verify('open sesame', hash)).toBe(true);
      expect(await hasher.verify('open sesame!', hash)).toBe(false);
      expect(hasher.needsRehash(hash)).toBe(false);
      expect(hasher.needsRehash(bcrypt.hashSync('x', 4))).toBe(true);
      // the decoy is a real hash at the configured cost that no password given here matches
      const decoy = await hasher.decoyHash();
      expect(decoy).toMatch(/^\$2[aby]\$06\$/);
      expect(await hasher.verify('open sesame', decoy)).toBe(false);
    } finally {
      await hasher.close();
    }
  });

  it('spends one comparison at the configured cost on unknown emails, wrong and overlong passwords alike', async () => {
    const comparedAgainst: string[] = [];
    const server = await startTestServer(
      { BCRYPT_COST: '5' },
      {
        wrapPasswords: (real): PasswordHasher => ({
          ...real,
          verify: (password, hash) => {
            comparedAgainst.push(hash);
            return real.verify(password, hash);
          },
        }),
      },
    );
    servers.push(server);
    const user = await registerUser(server);
    comparedAgainst.length = 0;
    for (const attempt of [
      { email: user.email, password: 'wrong password' },
      { email: 'ghost@example.org', password: 'wrong password' },
      { email: user.email, password: `${user.password}${'x'.repeat(80)}` },
    ]) {
      const response = await jsonPost(server, '/auth/login', attempt);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { code: 'invalid_credentials', message: 'Email or password is incorrect' },
      });
    }
    expect(comparedAgainst).toHaveLength(3);
    for (const hash of comparedAgainst) expect(bcrypt.getRounds(hash)).toBe(5);
  });
});

describe('logins under load', () => {
  it('keep the event loop free: a cheap request answers while bcrypt runs, with little loop delay', async () => {
    const cost = 11;
    const server = await startTestServer({ BCRYPT_COST: String(cost) });
    servers.push(server);
    // Eight people, not one person eight times: eight sign-ins of one account in flight from one
    // IP look like a burst of guesses, and the login throttle rightly holds some of them back.
    const users = await Promise.all(Array.from({ length: 8 }, () => registerUser(server)));

    // What one comparison would block the loop for if it ran on the main thread.
    const hash = bcrypt.hashSync('calibration', cost);
    const started = performance.now();
    bcrypt.compareSync('calibration', hash);
    const oneComparisonMs = performance.now() - started;

    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    let loginsDone = 0;
    const logins = users.map((user) =>
      jsonPost(server, '/auth/login', { email: user.email, password: user.password }).then(
        (response) => {
          loginsDone += 1;
          return response.status;
        },
      ),
    );
    const health = await server.fetch('/health');
    const loginsDoneWhenHealthAnswered = loginsDone;
    const statuses = await Promise.all(logins);
    delay.disable();

    expect(statuses).toEqual(Array(8).fill(200));
    expect(health.status).toBe(200);
    // The cheap request did not queue behind the logins.
    expect(loginsDoneWhenHealthAnswered).toBeLessThan(8);
    // Eight comparisons on the main thread would stall it for at least one comparison each time.
    const maxDelayMs = delay.max / 1e6;
    expect(maxDelayMs).toBeLessThan(oneComparisonMs / 2);
  });
});
