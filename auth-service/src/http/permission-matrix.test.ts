// Every route × every role (and no token): who gets through and who gets 401 or 403. Routes and
// their policies come from the app itself (each route's policy middleware carries its
// declaration), so a route without a policy fails this test, and a policy the guard does not
// enforce shows up as a mismatch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_ROLES, type UserRole, setUserRole } from '@attune/db';
import {
  type TestServer,
  jsonPost,
  registerUser,
  startTestServer,
} from '../testing/test-server.ts';
import type { RoutePolicy } from './route-policy.ts';

type Caller = 'none' | UserRole;
/** No token, then one caller of every role the database knows. */
const CALLERS: Caller[] = ['none', ...USER_ROLES];

/** The status class a caller must get under a policy: through (anything but 401/403), 401 or 403. */
function expected(policy: RoutePolicy, caller: Caller): 'through' | 401 | 403 {
  switch (policy.auth) {
    case 'public':
      return 'through';
    case 'livekit':
    case 'metrics':
      return 401; // nobody here holds LiveKit's signature or the metrics token
    case 'signed_in':
    case 'member':
      if (caller === 'none') return 401;
      if (policy.auth === 'member' && caller === 'guest') return 403;
      if (policy.roles && !policy.roles.includes(caller)) return 403;
      return 'through';
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

/** Each route the app answers (`METHOD /path` as Hono registered it) and its declared policy. */
const routePolicies = () => {
  const policies = new Map<string, RoutePolicy | undefined>();
  for (const route of server.routes) {
    if (route.method === 'ALL') continue;
    const key = `${route.method} ${route.path}`;
    if (!policies.get(key)) policies.set(key, route.declaration?.policy);
  }
  return [...policies].sort(([a], [b]) => a.localeCompare(b));
};

describe('permission matrix', () => {
  it('finds a declared policy on every route the app answers', () => {
    expect(routePolicies().length).toBeGreaterThan(30);
    expect(routePolicies().filter(([, policy]) => !policy)).toEqual([]);
  });

  // The matrix trusts the declarations; this catches the declaration a slip would get wrong.
  it('keeps every /admin and /analytics route from users and guests', () => {
    const open = routePolicies().filter(
      ([key, policy]) =>
        /^\w+ \/(admin|analytics)\//.test(key) &&
        (!policy?.roles || policy.roles.some((role) => role === 'user' || role === 'guest')),
    );
    expect(open).toEqual([]);
  });

  // The moderator's whole allowance, as the roles section of issue 11 lists it: a policy that
  // grants a moderator one route more (or one less) fails here, not only in the matrix below.
  it('lets a moderator into exactly its staff routes', () => {
    const staff = routePolicies()
      .filter(
        ([key, policy]) =>
          /^\w+ \/(admin|analytics)\//.test(key) && policy?.roles?.includes('moderator'),
      )
      .map(([key]) => key);
    expect(staff).toEqual([
      'GET /admin/audit',
      'GET /admin/rooms',
      'GET /admin/sessions',
      'GET /admin/users',
      'GET /admin/users/:id',
      'PATCH /admin/users/:id',
      'POST /admin/sessions/:id/terminate',
      'POST /admin/users/:id/unlock',
    ]);
    const adminOnly = routePolicies()
      .filter(([key]) => /^\w+ \/(admin|analytics)\//.test(key) && !staff.includes(key))
      .map(([key, policy]) => [key, policy?.roles]);
    expect(adminOnly.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        'DELETE /admin/users/:id',
        'GET /admin/stats',
        'POST /admin/cleanup',
        'POST /admin/invitations',
        'POST /admin/users',
      ]),
    );
    for (const [key, roles] of adminOnly) expect(roles, key as string).not.toContain('moderator');
  });

  it('lets each role through exactly the routes its policy allows', async () => {
    const outcomes: string[] = [];
    const mismatches: string[] = [];
    for (const [key, policy] of routePolicies()) {
      if (!policy) continue;
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
        const text = await response.text();
        const want = expected(policy, caller);
        const got =
          response.status === 401 || response.status === 403 ? response.status : 'through';
        outcomes.push(`${key} as ${caller}: ${response.status}`);
        // A 5xx the route declares is an answer past the guard (GET /admin/rooms answers 502
        // livekit_unavailable: no LiveKit runs here); any other is a server error.
        const declared5xx =
          response.status >= 500 && policy.errors.some((code) => text.includes(`"code":"${code}"`));
        if (response.status >= 500 && !declared5xx)
          mismatches.push(`${key} as ${caller}: server error ${response.status}`);
        if (got !== want)
          mismatches.push(`${key} as ${caller}: wanted ${want}, got ${response.status}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(outcomes.length).toBe(routePolicies().length * CALLERS.length);
  });
});
