import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';

/** bcrypt reads at most this many bytes of a password. */
export const MAX_PASSWORD_BYTES = 72;

/** bcrypt hashing and comparison on a worker pool sized to the cores, never on the event loop. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /**
   * A hash of a password nobody has, at the configured cost. Comparing against it costs what a
   * real comparison costs, so an unknown email takes as long as a wrong password.
   */
  decoyHash(): Promise<string>;
  /** True when `hash` was made at another cost than the configured one. */
  needsRehash(hash: string): boolean;
  close(): Promise<void>;
}

const WORKER_URL = new URL('./password-worker.mjs', import.meta.url).href;

export function createPasswordHasher(
  cost: number,
  threads = availableParallelism(),
): PasswordHasher {
  const pool = new Piscina({
    filename: WORKER_URL,
    minThreads: 1,
    maxThreads: Math.max(1, threads),
    idleTimeout: 60_000,
  });
  const hash = (password: string): Promise<string> => pool.run({ op: 'hash', password, cost });
  // Made at start, so even the first unknown-email login costs one comparison, like the rest.
  const decoy = hash(randomBytes(24).toString('base64'));
  decoy.catch(() => undefined); // the pool closed before it finished; decoyHash() would rethrow

  return {
    hash,
    verify: (password, hashed) => pool.run({ op: 'verify', password, hash: hashed }),
    decoyHash: () => decoy,
    needsRehash: (hashed) => bcrypt.getRounds(hashed) !== cost,
    async close() {
      await pool.close({ force: true });
    },
  };
}
