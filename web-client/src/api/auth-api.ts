/** The auth service's JSON API as the browser uses it. Errors carry the service's code. */

export interface ApiUser {
  id: string;
  email: string;
  full_name: string;
  role: 'admin' | 'analyst' | 'user' | 'guest';
  status: 'active' | 'suspended';
  created_at: string;
  last_login: string | null;
}

export interface RoomAccess {
  livekit_token: string;
  livekit_url: string;
  room_name: string;
  session_id: string;
  expires_at: string;
}

export interface SignedIn extends RoomAccess {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  refresh_token: string;
  user: ApiUser;
}

export class AuthApiError extends Error {
  override name = 'AuthApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AuthApi {
  register(input: { email: string; password: string; full_name: string }): Promise<SignedIn>;
  login(input: { email: string; password: string }): Promise<SignedIn>;
  me(accessToken: string): Promise<ApiUser>;
  mintRoomToken(accessToken: string, input?: { room_name?: string; participant_name?: string }): Promise<RoomAccess>;
}

/** `baseUrl` is '' in the browser (same origin) and the service's URL elsewhere. */
export function createAuthApi(baseUrl = '', fetchImpl: typeof fetch = fetch): AuthApi {
  async function call<T>(path: string, init: { method: string; body?: unknown; accessToken?: string }): Promise<T> {
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.accessToken) headers.authorization = `Bearer ${init.accessToken}`;
    const response = await fetchImpl(`${baseUrl}${path}`, {
      method: init.method,
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      const error = (payload as { error?: { code?: string; message?: string } } | undefined)?.error;
      throw new AuthApiError(response.status, error?.code ?? 'http_error', error?.message ?? `Request failed with ${response.status}`);
    }
    return payload as T;
  }

  return {
    register: (input) => call('/auth/register', { method: 'POST', body: input }),
    login: (input) => call('/auth/login', { method: 'POST', body: input }),
    me: (accessToken) => call('/auth/me', { method: 'GET', accessToken }),
    mintRoomToken: (accessToken, input = {}) => call('/auth/token', { method: 'POST', body: input, accessToken }),
  };
}
