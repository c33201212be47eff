import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';

/** bcrypt hashing and comparison on a worker pool sized to the cores, never on the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * Spends the same work as a real `verify` and returns false: used for unknown emails so a
   * wrong email and a wrong password take about the same time.
   */
  verifyAgainstNothing(password: string): Promise<false>;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./password-worker.mjs', import.meta.url).href;

export function createPasswordHasher(cost: number, threads = availableParallelism()): PasswordHasher {
  const pool = new Piscina({ filename: WORKER_URL, minThreads: 1, maxThreads: Math.max(1, threads), idleTimeout: 60_000 });
  const hash = (password: string): Promise<string> => pool.run({ op: 'hash', password, cost });
  const verify = (password: string, hashed: string): Promise<boolean> => pool.run({ op: 'verify', password, hash: hashed });
  // Made at start, so even the first unknown-email login costs one comparison, like the rest.
  const decoyHash = hash('attune-decoy-password-never-matches');
  decoyHash.catch(() => undefined); // a pool closed before it finished; verifyAgainstNothing would rethrow

  return {
    hash,
    verify,
    async verifyAgainstNothing(password) {
      await verify(password, await decoyHash);
      return false;
    },
    async close() {
      await pool.close({ force: true });
    },
  };
}
