import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher, request } from 'undici';
import type { z } from 'zod';
import {
  type AppendTurnsResponse,
  type EndSessionRequest,
  type ForgetPreferenceResponse,
  type NewTurn,
  type Preference,
  type RecallResponse,
  type RecordedResponse,
  type RememberPreferenceResponse,
  type ResolveParticipantRequest,
  type ResolveParticipantResponse,
  agentApiPaths,
  appendTurnsResponseSchema,
  errorBodySchema,
  forgetPreferenceResponseSchema,
  listPreferencesResponseSchema,
  recallResponseSchema,
  recordedResponseSchema,
  rememberPreferenceResponseSchema,
  resolveParticipantResponseSchema,
} from '@attune/contract';

/** The service answered with an error (its code is one of the contract's), or an unusable body. */
export class AgentApiError extends Error {
  override name = 'AgentApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The service could not be reached, or kept answering "try later", for every attempt. */
export class AgentApiUnavailable extends Error {
  override name = 'AgentApiUnavailable';
}

export interface AgentApiClientOptions {
  /** The internal agent API, e.g. http://127.0.0.1:8001 (ATTUNE_API_URL). */
  baseUrl: string;
  /** AGENT_API_SECRET: lets this worker resolve participants, nothing more. */
  agentSecret: string;
  /** How long one attempt may take before it is abandoned. */
  timeoutMs: number;
  /** Further attempts after a failed one (network error, 502/503/504), with growing pauses. */
  retries: number;
  /** The first pause between attempts; each following one is three times longer. */
  retryDelayMs?: number;
}

/** Statuses that say "not now" rather than "no": worth another attempt. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

type Method = 'GET' | 'POST';

/**
 * The agent's client of the auth service's internal agent API: keep-alive connections, a timeout
 * on every attempt, and bounded retries. Every call of the API is idempotent (turns carry ids,
 * preferences are set, not added), so any of them may be sent again after a lost answer.
 * Answers are checked against the shared contract before anyone reads them.
 */
export class AgentApiClient {
  readonly #options: Required<AgentApiClientOptions>;
  readonly #dispatcher: Dispatcher;

  constructor(options: AgentApiClientOptions) {
    this.#options = { retryDelayMs: 200, ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
    // Idle connections are closed before the service's own keep-alive timeout (5 s) would.
    this.#dispatcher = new Agent({ keepAliveTimeout: 4_000, connections: 32 });
  }

  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** Who the participant is, and a credential for their session; or why the agent must refuse. */
  resolveParticipant(participant: ResolveParticipantRequest): Promise<ResolveParticipantResponse> {
    return this.call(
      'POST',
      agentApiPaths.resolveParticipant,
      this.#options.agentSecret,
      resolveParticipantResponseSchema,
      participant,
    );
  }

  /**
   * The calls about one session, with the credential the resolve call answered; `renew` asks for
   * a new one (resolving the participant again) should a conversation outlive it.
   */
  forSession(
    sessionId: string,
    credential: string,
    renew: () => Promise<string | null> = () => Promise.resolve(null),
  ): SessionApi {
    return new SessionApi(this, sessionId, credential, renew);
  }

  /** Closes the kept-alive connections. */
  close(): Promise<void> {
    return this.#dispatcher.close();
  }

  /** One call, retried while the service is unreachable or asks for later. */
  async call<T extends z.ZodType>(
    method: Method,
    path: string,
    credential: string,
    schema: T,
    body?: unknown,
  ): Promise<z.infer<T>> {
    const { retries, retryDelayMs } = this.#options;
    let lastFailure = 'no attempt was made';
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) await sleep(retryDelayMs * 3 ** (attempt - 1));
      const outcome = await this.#attempt(method, path, credential, body);
      if (outcome.kind === 'answer') return this.#read(outcome.status, outcome.json, schema, path);
      lastFailure = outcome.reason;
    }
    throw new AgentApiUnavailable(
      `the Attune agent API at ${this.#options.baseUrl} did not answer ${method} ${path} after ${retries + 1} attempts: ${lastFailure}`,
    );
  }

  async #attempt(
    method: Method,
    path: string,
    credential: string,
    body: unknown,
  ): Promise<
    { kind: 'answer'; status: number; json: unknown } | { kind: 'retry'; reason: string }
  > {
    try {
      const response = await request(`${this.#options.baseUrl}${path}`, {
        method,
        dispatcher: this.#dispatcher,
        headers: {
          authorization: `Bearer ${credential}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      const text = await response.body.text();
      if (RETRYABLE_STATUSES.has(response.statusCode)) {
        return { kind: 'retry', reason: `answered ${response.statusCode}` };
      }
      return { kind: 'answer', status: response.statusCode, json: parseJson(text) };
    } catch (error) {
      return { kind: 'retry', reason: describeFailure(error) };
    }
  }

  #read<T extends z.ZodType>(status: number, json: unknown, schema: T, path: string): z.infer<T> {
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(json);
      if (parsed.success) return parsed.data;
      throw new AgentApiError(
        status,
        'invalid_response',
        `${path} answered a body outside the contract`,
      );
    }
    const error = errorBodySchema.safeParse(json);
    if (error.success)
      throw new AgentApiError(status, error.data.error.code, error.data.error.message);
    throw new AgentApiError(
      status,
      'invalid_response',
      `${path} answered ${status} without an error body`,
    );
  }
}

/**
 * Everything the agent may do about one session, as the service scopes it: the session and its
 * user are the service's to decide from the credential, so nothing here names a user.
 */
export class SessionApi {
  #credential: string;

  constructor(
    private readonly client: AgentApiClient,
    readonly sessionId: string,
    credential: string,
    private readonly renew: () => Promise<string | null>,
  ) {
    this.#credential = credential;
  }

  join(joinedAtMs: number): Promise<RecordedResponse> {
    return this.#post(agentApiPaths.join(this.sessionId), recordedResponseSchema, {
      joined_at_ms: joinedAtMs,
    });
  }

  end(end: EndSessionRequest): Promise<RecordedResponse> {
    return this.#post(agentApiPaths.end(this.sessionId), recordedResponseSchema, end);
  }

  async preferences(): Promise<Preference[]> {
    const path = agentApiPaths.preferences(this.sessionId);
    const answer = await this.#call('GET', path, listPreferencesResponseSchema);
    return answer.preferences;
  }

  remember(key: string, value: string): Promise<RememberPreferenceResponse> {
    return this.#post(agentApiPaths.remember(this.sessionId), rememberPreferenceResponseSchema, {
      key,
      value,
    });
  }

  forget(key: string): Promise<ForgetPreferenceResponse> {
    return this.#post(agentApiPaths.forget(this.sessionId), forgetPreferenceResponseSchema, {
      key,
    });
  }

  recall(words: readonly string[]): Promise<RecallResponse> {
    return this.#post(agentApiPaths.recall(this.sessionId), recallResponseSchema, { words });
  }

  appendTurns(turns: readonly NewTurn[]): Promise<AppendTurnsResponse> {
    return this.#post(agentApiPaths.turns(this.sessionId), appendTurnsResponseSchema, { turns });
  }

  #post<T extends z.ZodType>(path: string, schema: T, body: unknown): Promise<z.infer<T>> {
    return this.#call('POST', path, schema, body);
  }

  /** One call; an expired credential is renewed once and the call sent again. */
  async #call<T extends z.ZodType>(
    method: Method,
    path: string,
    schema: T,
    body?: unknown,
  ): Promise<z.infer<T>> {
    try {
      return await this.client.call(method, path, this.#credential, schema, body);
    } catch (error) {
      if (!(error instanceof AgentApiError && error.code === 'credential_expired')) throw error;
      const renewed = await this.renew();
      if (!renewed) throw error;
      this.#credential = renewed;
      return this.client.call(method, path, this.#credential, schema, body);
    }
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A failed attempt in a few words, never with the credential or a stack. */
function describeFailure(error: unknown): string {
  const { code, name, message } = error as { code?: string; name?: string; message?: string };
  if (name === 'TimeoutError' || name === 'AbortError') return 'timed out';
  return code ?? message ?? String(error);
}
