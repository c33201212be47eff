import { listSessions } from '@attune/db';
import type { AppDeps } from '../../deps.ts';
import { requireUser } from '../../http/require-user.ts';
import { createRouter } from '../../http/router.ts';
import { decodePageCursor, encodePageCursor } from '../../sessions/page-cursor.ts';
import { toSessionResponse } from '../../sessions/session-response.ts';
import { mySessionsRoute } from './me.routes.ts';

/** What the signed-in user may see about themselves; every query is scoped to the caller. */
export function createMeRouter(deps: AppDeps) {
  const router = createRouter();
  router.on('GET', '/me/sessions', requireUser(deps));
  router.openapi(mySessionsRoute, (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = listSessions(deps.database.db, {
      filter: { userId: c.get('caller').user.id },
      limit,
      after: decodePageCursor(cursor),
    });
    return c.json({ sessions: page.sessions.map(toSessionResponse), next_cursor: encodePageCursor(page.next) }, 200);
  });
  return router;
}
