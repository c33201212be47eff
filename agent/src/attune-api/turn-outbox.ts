import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AGENT_API_LIMITS,
  type AppendTurnsResponse,
  type NewTurn,
  type TurnRole,
  toStorableText,
} from '@attune/contract';
import { AgentApiError } from './agent-api-client.ts';

export interface TurnOutboxOptions {
  /** Stores one batch (SessionApi.appendTurns); throws when it could not. */
  send(turns: readonly NewTurn[]): Promise<AppendTurnsResponse>;
  /** Where failures are reported; never with the text of a turn. */
  log: {
    warn(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
  /** Turns kept while the service is unreachable; past it the oldest are dropped (and counted). */
  maxBuffered?: number;
  /** Pause after a failed batch, doubling up to `maxRetryDelayMs` while failures go on. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  now?: () => number;
}

/** A batch is kept well under the service's body limit, whatever the text is made of. */
const MAX_BATCH_BYTES = AGENT_API_LIMITS.maxBodyBytes / 2;
const CUT_MARK = '…';

/**
 * The text as it can be stored: cleaned of characters the service refuses, and cut to its limit
 * (between two characters, never inside a surrogate pair, which the service would refuse).
 */
export function storableTurnText(text: string): string {
  const clean = toStorableText(text).trim();
  if (clean.length <= AGENT_API_LIMITS.maxTurnChars) return clean;
  let cut = AGENT_API_LIMITS.maxTurnChars - CUT_MARK.length;
  const last = clean.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${clean.slice(0, cut)}${CUT_MARK}`;
}

/**
 * Every turn of one conversation on its way to the service, in the order it was said. Turns are
 * queued at once (the conversation never waits for the database) and sent in batches by one loop,
 * so they arrive in order. While the service is unreachable they stay in memory and the loop
 * retries with growing pauses; each turn has an id of its own, so a batch whose answer was lost is
 * stored once when sent again. A refusal that no retry can change (the session was closed, the
 * account suspended) drops what is queued, with an error in the log.
 */
export class TurnOutbox {
  readonly #options: Required<Omit<TurnOutboxOptions, 'send' | 'log'>> &
    Pick<TurnOutboxOptions, 'send' | 'log'>;
  #queue: NewTurn[] = [];
  #running: Promise<void> | null = null;
  #closed = false;
  /** Cuts a pause between retries short when the outbox is closed. */
  readonly #stop = new AbortController();
  #dropped = 0;
  #stored = 0;

  constructor(options: TurnOutboxOptions) {
    this.#options = {
      maxBuffered: 2_000,
      retryDelayMs: 250,
      maxRetryDelayMs: 5_000,
      now: Date.now,
      ...options,
    };
  }

  /** Turns not yet stored. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Turns the service confirmed (new or already stored), and turns given up on. */
  get counts(): { stored: number; dropped: number } {
    return { stored: this.#stored, dropped: this.#dropped };
  }

  /** Queues one turn; blank text is not a turn. */
  add(role: TurnRole, text: string): void {
    if (this.#closed) return;
    const storable = storableTurnText(text);
    if (!storable) return;
    this.#queue.push({
      id: randomUUID(),
      role,
      text: storable,
      created_at_ms: this.#options.now(),
    });
    const overflow = this.#queue.length - this.#options.maxBuffered;
    if (overflow > 0) {
      this.#queue.splice(0, overflow);
      this.#dropped += overflow;
      this.#options.log.error(
        { dropped: overflow, maxBuffered: this.#options.maxBuffered },
        'the Attune agent API is unreachable and too many turns are waiting; dropped the oldest',
      );
    }
    this.#kick();
  }

  /** Starts the sending loop unless it runs already; one loop at a time keeps turns in order. */
  #kick(): void {
    if (this.#running || this.#closed) return;
    this.#running = this.#run().finally(() => {
      this.#running = null;
      // A turn queued just as the loop ended starts it again.
      if (this.#queue.length > 0) this.#kick();
    });
  }

  /**
   * Waits until every queued turn is stored or given up on, for at most `timeoutMs`; then stops
   * taking turns. Returns how many were left unsent.
   */
  async close(timeoutMs: number): Promise<number> {
    const deadline = new AbortController();
    const timedOut = sleep(timeoutMs, 'timeout' as const, { signal: deadline.signal }).catch(
      () => 'cancelled' as const,
    );
    try {
      while (this.#running) {
        const first = await Promise.race([this.#running.then(() => 'done' as const), timedOut]);
        if (first === 'timeout') break;
      }
    } finally {
      deadline.abort();
    }
    this.#closed = true;
    this.#stop.abort();
    const unsent = this.#queue.length;
    if (unsent > 0) {
      this.#options.log.error({ unsent }, 'stopped with turns the Attune agent API never stored');
    }
    return unsent;
  }

  async #run(): Promise<void> {
    let delayMs = this.#options.retryDelayMs;
    while (this.#queue.length > 0 && !this.#closed) {
      const batch = this.#nextBatch();
      try {
        await this.#options.send(batch);
        // Only now leave the queue: a failed batch is sent again, in the same order.
        this.#queue.splice(0, batch.length);
        this.#stored += batch.length;
        delayMs = this.#options.retryDelayMs;
      } catch (error) {
        if (error instanceof AgentApiError && !isWorthRetrying(error)) {
          this.#giveUp(error, batch.length);
          continue;
        }
        this.#options.log.warn(
          { error: (error as Error).message, pending: this.#queue.length, retryInMs: delayMs },
          'could not store turns yet; keeping them and trying again',
        );
        await sleep(delayMs, undefined, { signal: this.#stop.signal }).catch(() => undefined);
        delayMs = Math.min(delayMs * 2, this.#options.maxRetryDelayMs);
      }
    }
  }

  /**
   * A refusal no retry changes. When the session no longer takes turns (closed, suspended, or its
   * credential could not be renewed) nothing queued can be stored: all of it is given up. A batch
   * the service refused as such (a bug, or a turn it cannot take) is given up alone.
   */
  #giveUp(error: AgentApiError, batchLength: number): void {
    const wholeSession = error.status === 401 || error.status === 403;
    const dropped = wholeSession ? this.#queue.length : batchLength;
    this.#queue.splice(0, dropped);
    this.#dropped += dropped;
    this.#options.log.error(
      { status: error.status, code: error.code, dropped },
      wholeSession
        ? 'the Attune agent API refused the turns of this session; they are not stored'
        : 'the Attune agent API refused a batch of turns; it is not stored, the rest go on',
    );
  }

  /** The oldest turns that fit one request. */
  #nextBatch(): NewTurn[] {
    const batch: NewTurn[] = [];
    let bytes = 0;
    for (const turn of this.#queue) {
      const size = Buffer.byteLength(JSON.stringify(turn));
      if (
        batch.length > 0 &&
        (batch.length >= AGENT_API_LIMITS.maxTurnsPerBatch || bytes + size > MAX_BATCH_BYTES)
      ) {
        break;
      }
      batch.push(turn);
      bytes += size;
    }
    return batch;
  }
}

/**
 * Whether another attempt could change the answer: "too many" or a failure on the service's side
 * may pass; a closed session, a suspended account or a refused batch will not.
 */
function isWorthRetrying(error: AgentApiError): boolean {
  return error.status === 429 || error.status >= 500;
}
