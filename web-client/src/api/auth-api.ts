/** The auth service's JSON API as the browser uses it. Errors carry the service's code. */

export type Role = 'admin' | 'moderator' | 'analyst' | 'user' | 'guest';

export interface ApiUser {
  id: string;
  email: string;
  full_name: string;
  role: Role;
  status: 'active' | 'suspended';
  created_at: string;
  last_login: string | null;
  /** Absent from services older than email verification. */
  email_verified?: boolean;
  /** A new address waiting for its verification link to be used. */
  pending_email?: string | null;
}

export interface RoomAccess {
  livekit_token: string;
  livekit_url: string;
  room_name: string;
  session_id: string;
  expires_at: string;
}

export interface Credentials {
  access_token: string;
  token_type: 'bearer';
  /** Seconds until the access token expires. */
  expires_in: number;
  /** Absent in cookie mode: the service keeps it in the httpOnly attune_refresh cookie. */
  refresh_token?: string;
  user: ApiUser;
}

export interface SignedIn extends Credentials, RoomAccess {}

export class AuthApiError extends Error {
  override name = 'AuthApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait, from Retry-After (429, 503). */
    readonly retryAfterSeconds?: number,
    /** What was wrong with each field of a refused request (400 validation_failed). */
    readonly issues?: readonly ApiIssue[],
  ) {
    super(message);
  }
}

/** One field's problem in a 400 `validation_failed` answer. */
export interface ApiIssue {
  path: string;
  message: string;
}

export interface RegisterInput {
  email: string;
  password: string;
  full_name: string;
  /** From an invitation link (`/sign-up#invite=…`), when the server takes invitations only. */
  invite_token?: string;
}

export interface ApiRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  accessToken?: string;
}

export interface AuthApi {
  register(input: RegisterInput): Promise<SignedIn>;
  login(input: { email: string; password: string }): Promise<SignedIn>;
  guest(input?: { full_name?: string }): Promise<SignedIn>;
  /** Without an argument (cookie mode) the service reads the refresh cookie. */
  refresh(refreshToken?: string): Promise<Credentials>;
  logout(accessToken: string, options?: { everywhere?: boolean }): Promise<void>;
  me(accessToken: string): Promise<ApiUser>;
  mintRoomToken(
    accessToken: string,
    input?: { room_name?: string; participant_name?: string },
  ): Promise<RoomAccess>;
  /** Any JSON route; `undefined` for a 204. */
  request<T>(request: ApiRequest): Promise<T>;
  /** A route that answers a file (e.g. /me/export): its bytes and the file name it suggests. */
  download(request: ApiRequest): Promise<{ blob: Blob; filename: string | undefined }>;
}

export interface AuthApiOptions {
  /**
   * Browser mode: ask for the refresh token in an httpOnly cookie instead of the body
   * (`X-Refresh-Cookie: 1`), so no script on the page can read it.
   */
  refreshCookie?: boolean;
}

const FILENAME = /filename="([^"]+)"/;

/** `baseUrl` is '' in the browser (same origin) and the service's URL elsewhere. */
export function createAuthApi(
  baseUrl = '',
  fetchImpl: typeof fetch = fetch,
  options: AuthApiOptions = {},
): AuthApi {
  async function send(request: ApiRequest): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    if (request.accessToken) headers.authorization = `Bearer ${request.accessToken}`;
    if (options.refreshCookie) headers['x-refresh-cookie'] = '1';
    const response = await fetchImpl(`${baseUrl}${request.path}`, {
      method: request.method,
      headers,
      credentials: 'same-origin',
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    });
    if (!response.ok) throw await errorOf(response);
    return response;
  }

  async function request<T>(input: ApiRequest): Promise<T> {
    const response = await send(input);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  return {
    register: (input) => request({ method: 'POST', path: '/auth/register', body: input }),
    login: (input) => request({ method: 'POST', path: '/auth/login', body: input }),
    guest: (input = {}) => request({ method: 'POST', path: '/auth/guest', body: input }),
    refresh: (refreshToken) =>
      request({
        method: 'POST',
        path: '/auth/refresh',
        body: refreshToken === undefined ? {} : { refresh_token: refreshToken },
      }),
    logout: (accessToken, { everywhere = false } = {}) =>
      request({
        method: 'POST',
        path: '/auth/logout',
        body: everywhere ? { everywhere: true } : {},
        accessToken,
      }),
    me: (accessToken) => request({ method: 'GET', path: '/auth/me', accessToken }),
    mintRoomToken: (accessToken, input = {}) =>
      request({ method: 'POST', path: '/auth/token', body: input, accessToken }),
    request,
    async download(input) {
      const response = await send(input);
      const filename = FILENAME.exec(response.headers.get('content-disposition') ?? '')?.[1];
      return { blob: await response.blob(), filename };
    },
  };
}

async function errorOf(response: Response): Promise<AuthApiError> {
  const payload: unknown = await response.json().catch(() => undefined);
  const error = (
    payload as { error?: { code?: string; message?: string; issues?: ApiIssue[] } } | undefined
  )?.error;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new AuthApiError(
    response.status,
    error?.code ?? 'http_error',
    error?.message ?? `The service answered ${response.status}`,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    Array.isArray(error?.issues) ? error.issues : undefined,
  );
}
