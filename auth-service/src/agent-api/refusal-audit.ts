/**
 * Which refusals were audited lately, so that an agent asking again and again about the same
 * participant writes one audit entry a minute, not one per request. Bounded: past `maxKeys`
 * the oldest entries are forgotten first.
 */
export class RecentRefusals {
  readonly #seenAt = new Map<string, number>();

  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** True the first time `key` is seen within the window (and remembers it). */
  isNew(key: string, nowMs: number): boolean {
    const seen = this.#seenAt.get(key);
    if (seen !== undefined && nowMs - seen < this.windowMs) return false;
    this.#seenAt.delete(key);
    if (this.#seenAt.size >= this.maxKeys) {
      const oldest = this.#seenAt.keys().next();
      if (!oldest.done) this.#seenAt.delete(oldest.value);
    }
    this.#seenAt.set(key, nowMs);
    return true;
  }
}
