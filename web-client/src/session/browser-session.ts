import {
  type ApiRequest,
  type ApiUser,
  type AuthApi,
  AuthApiError,
  type Credentials,
  type RegisterInput,
} from '../api/auth-api.ts';

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signed-out'; /** Why, when it was not the user's own doing. */ reason?: string }
  | { status: 'signed-in'; user: ApiUser };

/** The few browser facilities the session uses, passed in so tests can run it anywhere. */
export interface SessionEnvironment {
  now(): number;
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Web Locks: one tab at a time spends the shared refresh cookie (absent outside secure contexts). */
  locks?: Pick<LockManager, 'request'> | undefined;
  /** Tells the other tabs of this origin about sign-in and sign-out. */
  channel?: Pick<BroadcastChannel, 'postMessage' | 'addEventListener'> | undefined;
}

/** Refresh this long before the access token expires (at most a fifth of its life). */
const REFRESH_MARGIN_MS = 60_000;
/** After a network failure the refresh is retried this often until it succeeds or is refused. */
const RETRY_MS = 10_000;
const LOCK_NAME = 'attune-refresh';
const SESSION_ENDED = 'Your session ended; sign in again.';
const UNREACHABLE = 'Attune could not be reached; check your connection and reload the page.';
const SIGN_OUT_FAILED =
  'Attune could not be reached to sign you out, so this browser may still be signed in. Sign out again once you are back online.';

type RefreshOutcome = 'refreshed' | 'refused' | 'unreachable';

type ChannelMessage = { type: 'signed-in'; userId: string } | { type: 'signed-out' };

/**
 * The signed-in browser: the access token lives only in this object's memory, the refresh token
 * only in the service's httpOnly cookie. The access token is refreshed silently before it
 * expires, and once more when the service refuses it; when the cookie no longer works the
 * session ends with a reason the page can show.
 */
export class BrowserSession {
  #state: SessionState = { status: 'restoring' };
  #accessToken: string | undefined;
  #expiresAtMs = 0;
  #timer: unknown;
  #refreshing: Promise<RefreshOutcome> | undefined;
  readonly #listeners = new Set<(state: SessionState) => void>();

  constructor(
    /** The service without credentials, for the pages that need no session (mail links). */
    readonly api: AuthApi,
    private readonly env: SessionEnvironment,
  ) {
    env.channel?.addEventListener('message', (event: MessageEvent<ChannelMessage>) => {
      if (event.data?.type === 'signed-out' && this.#state.status === 'signed-in')
        this.#end(undefined);
      // Another tab signed in, perhaps as someone else (a guest who made an account): follow it.
      if (event.data?.type === 'signed-in' && this.user?.id !== event.data.userId)
        void this.restore();
    });
  }

  get state(): SessionState {
    return this.#state;
  }

  get user(): ApiUser | undefined {
    return this.#state.status === 'signed-in' ? this.#state.user : undefined;
  }

  subscribe(listener: (state: SessionState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** On page load: signs in from the refresh cookie if there is a live one. */
  async restore(): Promise<void> {
    const outcome = await this.#refresh();
    if (outcome === 'unreachable' && this.#state.status === 'restoring') {
      this.#set({ status: 'signed-out', reason: UNREACHABLE });
    } else if (outcome !== 'refreshed' && this.#state.status === 'restoring') {
      this.#set({ status: 'signed-out' });
    }
  }

  async register(input: RegisterInput): Promise<ApiUser> {
    return this.#begin(await this.api.register(input));
  }

  async login(input: { email: string; password: string }): Promise<ApiUser> {
    return this.#begin(await this.api.login(input));
  }

  async guest(fullName?: string): Promise<ApiUser> {
    return this.#begin(await this.api.guest(fullName ? { full_name: fullName } : {}));
  }

  /**
   * Signs this device out, or every device of the account. The page is signed out either way; if
   * the service could not be told, the sign-in page says so (the cookie may still be live).
   */
  async signOut(options: { everywhere?: boolean } = {}): Promise<void> {
    let reason: string | undefined;
    try {
      // A fresh token: the stored one may have expired while the laptop slept.
      await this.#withToken((token) => this.api.logout(token, options));
    } catch (error) {
      // Refused as signed out already: the refresh that failed has cleared the cookie.
      if (!(error instanceof AuthApiError && error.status === 401)) reason = SIGN_OUT_FAILED;
    } finally {
      this.#end(reason);
      this.env.channel?.postMessage({ type: 'signed-out' } satisfies ChannelMessage);
    }
  }

  /** The signed-in user as the service now describes them (after a change to the account). */
  replaceUser(user: ApiUser): void {
    if (this.#state.status === 'signed-in' && this.#state.user.id === user.id)
      this.#set({ status: 'signed-in', user });
  }

  /** Reads the signed-in user again (e.g. after their email was verified in this tab). */
  async reloadUser(): Promise<void> {
    if (this.#state.status !== 'signed-in') return;
    this.replaceUser(await this.#withToken((token) => this.api.me(token)));
  }

  /**
   * Ends the session here and in the other tabs after the service ended it itself (the account
   * was deleted, the password reset): there is nothing left to tell the service.
   */
  endedByService(reason?: string): void {
    if (this.#state.status !== 'signed-in') return;
    this.#end(reason);
    this.env.channel?.postMessage({ type: 'signed-out' } satisfies ChannelMessage);
  }

  /** A fresh access token (refreshed first when it is about to expire). */
  async accessToken(): Promise<string> {
    if (!this.#accessToken || this.env.now() >= this.#expiresAtMs - 5_000) await this.#refresh();
    if (!this.#accessToken) throw new AuthApiError(401, 'signed_out', SESSION_ENDED);
    return this.#accessToken;
  }

  /** A JSON call as the signed-in user; a refused access token is refreshed once and retried. */
  request<T>(request: Omit<ApiRequest, 'accessToken'>): Promise<T> {
    return this.#withToken((accessToken) => this.api.request<T>({ ...request, accessToken }));
  }

  download(
    request: Omit<ApiRequest, 'accessToken'>,
  ): Promise<{ blob: Blob; filename: string | undefined }> {
    return this.#withToken((accessToken) => this.api.download({ ...request, accessToken }));
  }

  async #withToken<T>(call: (accessToken: string) => Promise<T>): Promise<T> {
    const token = await this.accessToken();
    try {
      return await call(token);
    } catch (error) {
      if (!(error instanceof AuthApiError) || error.status !== 401 || error.code !== 'unauthorized')
        throw error;
      if ((await this.#refresh()) !== 'refreshed')
        throw new AuthApiError(401, 'signed_out', SESSION_ENDED);
      return call(this.#accessToken!);
    }
  }

  #begin(credentials: Credentials): ApiUser {
    this.#accept(credentials);
    this.env.channel?.postMessage({
      type: 'signed-in',
      userId: credentials.user.id,
    } satisfies ChannelMessage);
    return credentials.user;
  }

  #accept(credentials: Credentials): void {
    const lifetimeMs = credentials.expires_in * 1000;
    this.#accessToken = credentials.access_token;
    this.#expiresAtMs = this.env.now() + lifetimeMs;
    this.#schedule(lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 5));
    this.#set({ status: 'signed-in', user: credentials.user });
  }

  #schedule(ms: number): void {
    if (this.#timer !== undefined) this.env.clearTimeout(this.#timer);
    this.#timer = this.env.setTimeout(() => {
      this.#timer = undefined;
      void this.#refresh();
    }, ms);
  }

  /** One refresh at a time in this tab, and with Web Locks one at a time across tabs. */
  #refresh(): Promise<RefreshOutcome> {
    this.#refreshing ??= this.#refreshOnce().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  async #refreshOnce(): Promise<RefreshOutcome> {
    try {
      const spend = () => this.api.refresh();
      const credentials = this.env.locks
        ? await this.env.locks.request(LOCK_NAME, spend)
        : await spend();
      this.#accept(credentials);
      return 'refreshed';
    } catch (error) {
      if (error instanceof AuthApiError && error.status < 500 && error.status !== 429) {
        // The cookie is gone, spent or revoked: this browser is signed out.
        this.#end(this.#state.status === 'signed-in' ? SESSION_ENDED : undefined);
        return 'refused';
      }
      // Offline, or the service is restarting: keep the session and try again shortly.
      if (this.#state.status === 'signed-in') this.#schedule(RETRY_MS);
      return 'unreachable';
    }
  }

  #end(reason: string | undefined): void {
    if (this.#timer !== undefined) this.env.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#accessToken = undefined;
    this.#expiresAtMs = 0;
    this.#set(reason ? { status: 'signed-out', reason } : { status: 'signed-out' });
  }

  #set(state: SessionState): void {
    this.#state = state;
    for (const listener of this.#listeners) listener(state);
  }
}

/** The session as the page runs it: real timers, Web Locks and a BroadcastChannel when present. */
export function browserSessionEnvironment(): SessionEnvironment {
  return {
    now: () => Date.now(),
    setTimeout: (run, ms) => window.setTimeout(run, ms),
    clearTimeout: (handle) => window.clearTimeout(handle as number),
    locks: 'locks' in navigator ? navigator.locks : undefined,
    channel: 'BroadcastChannel' in window ? new BroadcastChannel('attune-session') : undefined,
  };
}
