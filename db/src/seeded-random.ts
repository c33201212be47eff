/**
 * Deterministic pseudo-random numbers in [0, 1) for generated test and benchmark data, so a
 * failure or a benchmark run can be replayed from its seed.
 *
 * mulberry32: a 32-bit state advanced with `Math.imul`, so every step is exact integer arithmetic.
 * (An LCG written as `(state * 1_103_515_245 + 12_345) % 2 ** 31` in plain numbers is not: the
 * product passes 2^53, loses its low bits, and the sequence falls into a cycle of about 10,000
 * states.) Period 2^32, which no test or benchmark comes near.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
