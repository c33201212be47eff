import type { User } from '@attune/db';
import { GUEST_ROLE_FIXED, isGuestRoleMove } from '../../admin/guest-role.ts';
import { moderatorRefusal } from '../../admin/moderator-limits.ts';
import type { AuditRecord } from '../../audit/audit.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import {
  type RemovalReport,
  liveRoomsOf,
  removeParticipants,
} from '../../livekit/participant-removal.ts';
import { decodePageCursor, encodePageCursor } from '../../sessions/page-cursor.ts';
import { resolvePeriod } from '../../sessions/period.ts';
import { toSessionResponse } from '../../sessions/session-response.ts';
import { toUserResponse } from '../../users/user-response.ts';
import {
  auditRoute,
  deleteUserRoute,
  listSessionsRoute,
  listUsersRoute,
  statsRoute,
  terminateSessionRoute,
  updateUserRoute,
} from './admin.routes.ts';

const SESSION_OF_STAFF = 'Moderators cannot end the sessions of admins or moderators';

const notFound = (what: 'user' | 'session') => apiError(`${what}_not_found`);

function userCursor(text: string | undefined) {
  const cursor = decodePageCursor(text);
  return cursor === undefined ? undefined : { createdAt: cursor.issuedAt, id: cursor.id };
}

/**
 * Users, live sessions, stats and the audit log, for admins (and moderators where a route's policy
 * says). Nobody can change or delete their own account here.
 */
export function createAdminRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  /** Removes the user's participants from the rooms they may be in now. */
  const disconnect = async (user: Pick<User, 'id'>): Promise<RemovalReport> =>
    removeParticipants(deps.config.livekit, await liveRoomsOf(deps, user.id));

  const otherUser = async (callerId: string, id: string) => {
    if (id === callerId) throw apiError('cannot_change_self');
    const user = await deps.store.users.findById(id);
    if (!user) throw notFound('user');
    return user;
  };

  router.openapi(guard.route(listUsersRoute), async (c) => {
    const q = c.req.valid('query');
    const page = await deps.store.admin.searchUsers({
      search: q.search,
      role: q.role,
      status: q.status,
      limit: q.limit,
      after: userCursor(q.cursor),
    });
    const next = page.next
      ? encodePageCursor({ issuedAt: page.next.createdAt, id: page.next.id })
      : null;
    return c.json({ users: page.users.map(toUserResponse), next_cursor: next }, 200);
  });

  router.openapi(guard.route(updateUserRoute), async (c) => {
    const caller = c.get('caller').user;
    const target = await otherUser(caller.id, c.req.valid('param').id);
    const change = c.req.valid('json');
    const refusal = caller.role === 'moderator' ? moderatorRefusal(target, change) : null;
    if (refusal) throw apiError('forbidden', refusal);
    if (change.role !== undefined && isGuestRoleMove(target.role, change.role))
      throw apiError('guest_role_fixed', GUEST_ROLE_FIXED);
    // One unit (store.admin.changeUser): the last-admin rule is checked there, under locks, so
    // two admins demoting each other at once never leave the deployment without one; a
    // suspension also drops a pending change of address and signs every device out.
    const result = await deps.store.admin.changeUser(
      { userId: target.id, ...change, actorId: caller.id, ip: clientMeta(c).ip },
      deps.now(),
    );
    if (result.status === 'last_admin') throw apiError('last_admin');
    if (result.status === 'not_found') throw notFound('user');
    const livekit = result.suspended ? await disconnect(target) : null;
    return c.json({ user: toUserResponse(result.user), livekit }, 200);
  });

  router.openapi(guard.route(deleteUserRoute), async (c) => {
    const caller = c.get('caller').user;
    const target = await otherUser(caller.id, c.req.valid('param').id);
    // Where the user is connected is read before the rows go; the account is deleted before
    // LiveKit is called, so a LiveKit that hangs never leaves the user signed in meanwhile.
    const liveRooms = await liveRoomsOf(deps, target.id);
    const outcome = await deps.store.admin.deleteUser(
      { userId: target.id },
      {
        action: 'user_deleted',
        actorId: caller.id,
        target: null,
        ip: clientMeta(c).ip,
        detail: { role: target.role },
      } satisfies AuditRecord,
      deps.now(),
    );
    if (outcome === 'last_admin') throw apiError('last_admin');
    if (outcome === 'not_found') throw notFound('user');
    const livekit = await removeParticipants(deps.config.livekit, liveRooms);
    return c.json({ deleted: true as const, livekit }, 200);
  });

  router.openapi(guard.route(listSessionsRoute), async (c) => {
    const q = c.req.valid('query');
    const status = q.status ?? (q.recent === 'true' ? undefined : 'active');
    const page = await deps.store.sessionListings.list({
      filter: {},
      status,
      limit: q.limit,
      after: decodePageCursor(q.cursor),
    });
    return c.json(
      { sessions: page.sessions.map(toSessionResponse), next_cursor: encodePageCursor(page.next) },
      200,
    );
  });

  router.openapi(guard.route(terminateSessionRoute), async (c) => {
    const caller = c.get('caller').user;
    const session = await deps.store.admin.findSession(c.req.valid('param').id);
    if (!session) throw notFound('session');
    if (caller.role === 'moderator') {
      const owner = await deps.store.users.findById(session.userId);
      if (owner && moderatorRefusal(owner, {})) throw apiError('forbidden', SESSION_OF_STAFF);
    }
    if (session.status === 'ended' || session.status === 'expired') {
      throw apiError('session_not_live', `The session is already ${session.status}`);
    }
    // Ended and signed out first, then removed from the room: a LiveKit that hangs must not
    // leave the user able to refresh meanwhile.
    const nowMs = deps.now();
    const ended = await deps.store.admin.endSession(
      session,
      {
        action: 'session_terminated',
        actorId: caller.id,
        target: session.userId,
        ip: clientMeta(c).ip,
        detail: { sessionId: session.id },
      } satisfies AuditRecord,
      nowMs,
    );
    const livekit = await removeParticipants(deps.config.livekit, [
      { roomName: session.roomName, identity: session.participantIdentity },
    ]);
    const current = ended ?? (await deps.store.admin.findSession(session.id));
    if (!current) throw notFound('session');
    return c.json({ session: toSessionResponse(current), livekit }, 200);
  });

  router.openapi(guard.route(statsRoute), async (c) => {
    const stats = await deps.store.admin.stats(deps.now());
    return c.json(
      {
        users: {
          total: stats.users.total,
          by_role: stats.users.byRole,
          suspended: stats.users.suspended,
        },
        sessions: {
          active: stats.sessions.active,
          started_last_24h: stats.sessions.startedLast24h,
          ended_last_24h: stats.sessions.endedLast24h,
          mean_seconds_last_7d: stats.sessions.meanSecondsLast7d,
        },
        tokens_minted_last_24h: stats.tokensMintedLast24h,
      },
      200,
    );
  });

  router.openapi(guard.route(auditRoute), async (c) => {
    const q = c.req.valid('query');
    const period =
      q.from === undefined && q.to === undefined ? {} : resolvePeriod(q.from, q.to, deps.now());
    const page = await deps.store.audit.list({
      action: q.action,
      userId: q.user,
      ...period,
      limit: q.limit,
      beforeId: q.cursor,
    });
    return c.json(
      {
        entries: page.entries.map((e) => ({
          id: e.id,
          at: new Date(e.at).toISOString(),
          actor_id: e.actorId,
          action: e.action,
          target: e.target,
          ip: e.ip,
          detail: e.detail === null ? null : (JSON.parse(e.detail) as unknown),
        })),
        next_cursor: page.nextBeforeId,
      },
      200,
    );
  });

  return router;
}
