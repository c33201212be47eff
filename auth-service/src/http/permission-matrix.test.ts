// Every route × every role (and no token): who gets through and who gets 401 or 403. The route
// list comes from the app itself, so a new route without a rule here fails this test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type UserRole, setUserRole } from '@attune/db';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';

type Caller = 'none' | UserRole;
const CALLERS: Caller[] = ['none', 'guest', 'user', 'analyst', 'admin'];

type Access =
  | 'public' // anyone, no token needed
  | 'signed_in' // any signed-in role, guests included
  | 'member' // signed in, not a guest (memory routes)
  | 'analytics' // admin and analyst
  | 'admin'
  | 'livekit' // LiveKit's signature, not an app token
  | 'metrics'; // the metrics token, not an app token

/** The rule for each route (method and path pattern as the app declares them). */
const RULES: Record<string, Access> = {
  'GET /health': 'public',
  'GET /ready': 'public',
  'GET /openapi.json': 'public',
  'POST /auth/register': 'public',
  'POST /auth/login': 'public',
  'POST /auth/refresh': 'public',
  'POST /auth/guest': 'public',
  'POST /auth/logout': 'signed_in',
  'GET /auth/me': 'signed_in',
  'POST /auth/token': 'signed_in',
  'POST /livekit/webhook': 'livekit',
  'GET /metrics': 'metrics',
  'GET /me/sessions': 'signed_in',
  'GET /me/export': 'signed_in',
  'DELETE /me': 'signed_in',
  'POST /me/password': 'signed_in',
  'GET /me/devices': 'signed_in',
  'DELETE /me/devices/:id': 'signed_in',
  'GET /me/preferences': 'member',
  'PUT /me/preferences/:key': 'member',
  'DELETE /me/preferences/:key': 'member',
  'GET /me/history': 'signed_in', // guests have no stored turns: an empty history
  'DELETE /me/history': 'signed_in',
  'GET /analytics/sessions': 'analytics',
  'GET /analytics/sessions/list': 'analytics',
  'GET /admin/users': 'admin',
  'PATCH /admin/users/:id': 'admin',
  'DELETE /admin/users/:id': 'admin',
  'GET /admin/sessions': 'admin',
  'POST /admin/sessions/:id/terminate': 'admin',
  'GET /admin/stats': 'admin',
  'GET /admin/audit': 'admin',
};

/** The status class a caller must get: through (anything but 401/403), 401 or 403. */
function expected(access: Access, caller: Caller): 'through' | 401 | 403 {
  switch (access) {
    case 'public':
      return 'through';
    case 'livekit':
    case 'metrics':
      return 401;
    case 'signed_in':
      return caller === 'none' ? 401 : 'through';
    case 'member':
      return caller === 'none' ? 401 : caller === 'guest' ? 403 : 'through';
    case 'analytics':
      return caller === 'none' ? 401 : caller === 'admin' || caller === 'analyst' ? 'through' : 403;
    case 'admin':
      return caller === 'none' ? 401 : caller === 'admin' ? 'through' : 403;
  }
}

let server: TestServer;
const tokens = new Map<Caller, string>();

/** A fresh signed-in caller of that role (routes like logout end the caller's sign-in). */
async function signedInAs(role: UserRole): Promise<string> {
  if (role === 'guest')
    return ((await (await jsonPost(server, '/auth/guest', {})).json()) as { access_token: string })
      .access_token;
  const user = await registerUser(server);
  if (role !== 'user') setUserRole(server.database.db, user.id, role);
  return user.accessToken;
}

beforeAll(async () => {
  server = await startTestServer({
    METRICS_TOKEN: 'a-metrics-token-of-enough-length',
    RATE_LIMIT_ENABLED: 'false',
  });
  for (const caller of CALLERS) if (caller !== 'none') tokens.set(caller, await signedInAs(caller));
});
afterAll(async () => {
  await server.close();
});

const routeKeys = () =>
  [
    ...new Set(
      server.routes
        .filter((r) => r.method !== 'ALL' && !r.path.startsWith('/docs'))
        .map((r) => `${r.method} ${r.path}`),
    ),
  ].sort();

describe('permission matrix', () => {
  it('has a rule for every route the app answers', () => {
    expect(routeKeys().filter((key) => !(key in RULES))).toEqual([]);
  });

  it('lets each role through exactly the routes it may use', async () => {
    const outcomes: string[] = [];
    const mismatches: string[] = [];
    for (const key of routeKeys()) {
      const [method, pattern] = key.split(' ') as [string, string];
      // Ids that exist nowhere: an admin gets a 404, which still shows it got past the guard.
      const path = pattern.replace(/:(\w+)/g, 'no-such-$1');
      for (const caller of CALLERS) {
        const token =
          caller === 'none'
            ? undefined
            : key === 'POST /auth/logout'
              ? await signedInAs(caller)
              : tokens.get(caller);
        const hasBody = !['GET', 'HEAD'].includes(method);
        const response = await server.fetch(path, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(hasBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(hasBody ? { body: '{}' } : {}),
        });
        await response.arrayBuffer();
        const want = expected(RULES[key]!, caller);
        const got =
          response.status === 401 || response.status === 403 ? response.status : 'through';
        outcomes.push(`${key} as ${caller}: ${response.status}`);
        if (response.status >= 500)
          mismatches.push(`${key} as ${caller}: server error ${response.status}`);
        if (got !== want)
          mismatches.push(`${key} as ${caller}: wanted ${want}, got ${response.status}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(outcomes.length).toBe(routeKeys().length * CALLERS.length);
  });
});
