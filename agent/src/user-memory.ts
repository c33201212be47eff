import type {
  ForgetPreferenceResponse,
  Preference,
  RecallResponse,
  RememberPreferenceResponse,
  TurnRole,
} from '@attune/contract';
import type { SessionApi } from './attune-api/agent-api-client.ts';
import type { TurnOutbox } from './attune-api/turn-outbox.ts';

/**
 * Everything the agent stores or reads about the person it is talking to, through the internal
 * agent API with this session's credential. Nothing here names a user: the service derives the
 * user from the session, so no tool argument can reach another user's rows. Turns go through the
 * outbox, which keeps them while the service is unreachable.
 */
export class UserMemory {
  constructor(
    private readonly api: SessionApi,
    private readonly outbox: TurnOutbox,
  ) {}

  preferences(): Promise<Preference[]> {
    return this.api.preferences();
  }

  remember(key: string, value: string): Promise<RememberPreferenceResponse> {
    return this.api.remember(key, value);
  }

  forget(key: string): Promise<ForgetPreferenceResponse> {
    return this.api.forget(key);
  }

  /** Earlier turns holding every word, newest first; without words, the end of the last conversation. */
  recall(words: readonly string[]): Promise<RecallResponse> {
    return this.api.recall(words);
  }

  /** Queues a turn of this conversation for storing; the conversation never waits for it. */
  recordTurn(role: TurnRole, text: string): void {
    this.outbox.add(role, text);
  }
}
