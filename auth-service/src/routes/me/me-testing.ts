import { type TurnRole, insertConversationTurn } from '@attune/db';
import {
  type RegisteredUser,
  type TestServer,
  jsonPost,
  registerUser,
} from '../../testing/test-server.ts';

/** Test helpers for the /me routes. */

/** Any method, optional bearer token, optional JSON body. */
export function call(
  server: TestServer,
  method: string,
  path: string,
  accessToken?: string,
  body?: unknown,
): Promise<Response> {
  return server.fetch(path, {
    method,
    headers: {
      ...(accessToken ? { authorization: `Bearer ${accessToken}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

/** A registered user; `sessionId` is the session their registration opened. */
export interface Person extends RegisteredUser {
  sessionId: string;
}

export async function register(
  server: TestServer,
  overrides: { full_name?: string; password?: string } = {},
): Promise<Person> {
  const user = await registerUser(server, overrides);
  return { ...user, sessionId: user.body.session_id as string };
}

/** Signs the user in again: a second device (a new refresh family). */
export async function signInAgain(
  server: TestServer,
  user: RegisteredUser,
  userAgent = 'second device',
) {
  const response = await server.fetch('/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  if (response.status !== 200)
    throw new Error(`login failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as { access_token: string; refresh_token: string };
  return { accessToken: body.access_token, refreshToken: body.refresh_token };
}

export function refresh(server: TestServer, refreshToken: string): Promise<Response> {
  return jsonPost(server, '/auth/refresh', { refresh_token: refreshToken });
}

/** Writes a conversation turn the way the agent does. */
export function say(
  server: TestServer,
  userId: string,
  sessionId: string | null,
  text: string,
  atMs: number,
  role: TurnRole = 'user',
) {
  insertConversationTurn(server.database.db, { userId, sessionId, role, text }, atMs);
}

/** The rows of every table that mention any of `needles` (a user's id, email…). */
export function rowsMentioning(
  tables: Record<string, unknown[]>,
  ...needles: string[]
): Record<string, unknown[]> {
  return Object.fromEntries(
    Object.entries(tables).map(([name, rows]) => [
      name,
      rows.filter((row) => needles.some((n) => JSON.stringify(row).includes(n))),
    ]),
  );
}
