import type { User } from '@attune/db';
import { toExportDocument } from '../../account/export-document.ts';
import { decodeHistoryCursor, encodeHistoryCursor } from '../../account/history-cursor.ts';
import type { AuditRecord } from '../../audit/audit.ts';
import { callerPasswordMatches } from '../../auth/caller-password.ts';
import { clearRefreshCookie } from '../../auth/refresh-cookie.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import {
  disconnectFromLiveRooms,
  liveRoomsOf,
  removeParticipants,
} from '../../livekit/participant-removal.ts';
import { decodePageCursor, encodePageCursor } from '../../sessions/page-cursor.ts';
import { toSessionResponse } from '../../sessions/session-response.ts';
import {
  changePasswordRoute,
  deleteAccountRoute,
  deleteDeviceRoute,
  deleteHistoryRoute,
  deletePreferenceRoute,
  devicesRoute,
  exportRoute,
  historyRoute,
  listPreferencesRoute,
  mySessionsRoute,
  putPreferenceRoute,
} from './me.routes.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const invalidCredentials = () => apiError('invalid_credentials', 'The password is incorrect');

/**
 * What the signed-in user may see and change about themselves. Every query is scoped to the
 * caller's id from the verified access token; no route takes a user id, and an id in a path (a
 * device, a preference key) only ever matches the caller's own rows.
 */
export function createMeRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  const passwordMatches = (user: User, password: string, ip: string | null) =>
    callerPasswordMatches(deps, user, password, ip);

  router.openapi(guard.route(mySessionsRoute), async (c) => {
    const { limit, cursor, joined } = c.req.valid('query');
    const page = await deps.store.sessionListings.list({
      filter: { userId: c.get('caller').user.id },
      joinedOnly: joined,
      limit,
      after: decodePageCursor(cursor),
    });
    return c.json(
      { sessions: page.sessions.map(toSessionResponse), next_cursor: encodePageCursor(page.next) },
      200,
    );
  });

  // --- preferences ---

  router.openapi(guard.route(listPreferencesRoute), async (c) => {
    const preferences = await deps.store.preferences.list(c.get('caller').user.id);
    return c.json(
      {
        preferences: preferences.map((p) => ({
          key: p.key,
          value: p.value,
          updated_at: iso(p.updatedAt),
        })),
      },
      200,
    );
  });

  router.openapi(guard.route(putPreferenceRoute), async (c) => {
    const { key } = c.req.valid('param');
    const { value } = c.req.valid('json');
    const userId = c.get('caller').user.id;
    const maxPerUser = deps.config.maxPreferencesPerUser;
    const nowMs = deps.now();
    const result = await deps.store.preferences.save({ userId, key, value, maxPerUser }, nowMs);
    if (result === 'limit_reached') {
      throw apiError(
        'preference_limit',
        `You can keep at most ${maxPerUser} preferences; delete one first`,
      );
    }
    return c.json({ key, value, updated_at: iso(nowMs) }, 200);
  });

  router.openapi(guard.route(deletePreferenceRoute), async (c) => {
    const { key } = c.req.valid('param');
    if (!(await deps.store.preferences.delete(c.get('caller').user.id, key))) {
      throw apiError('preference_not_found', `No preference is saved under "${key}"`);
    }
    return c.body(null, 204);
  });

  // --- history ---

  router.openapi(guard.route(historyRoute), async (c) => {
    const { limit, cursor } = c.req.valid('query');
    const page = await deps.store.conversationTurns.historyPage(c.get('caller').user.id, {
      limit,
      after: decodeHistoryCursor(cursor),
    });
    return c.json(
      {
        history: page.groups.map((group) => ({
          session_id: group.sessionId,
          started_at: iso(group.startedAt),
          turns: group.turns.map((turn) => ({
            role: turn.role,
            text: turn.text,
            created_at: iso(turn.createdAt),
          })),
        })),
        next_cursor: encodeHistoryCursor(page.next),
      },
      200,
    );
  });

  router.openapi(guard.route(deleteHistoryRoute), async (c) => {
    await deps.store.conversationTurns.deleteHistory(c.get('caller').user.id);
    return c.body(null, 204);
  });

  // --- the account ---

  router.openapi(guard.route(exportRoute), async (c) => {
    const { user } = c.get('caller');
    const nowMs = deps.now();
    const data = await deps.store.accounts.exportData(user.id);
    // requireUser loaded the user a moment ago, on this same connection; only a bug gets here.
    if (!data) throw new Error('the signed-in user vanished during the export');
    c.header(
      'Content-Disposition',
      `attachment; filename="attune-export-${iso(nowMs).slice(0, 10)}.json"`,
    );
    c.header('Cache-Control', 'no-store');
    return c.json(toExportDocument(data, nowMs), 200);
  });

  router.openapi(guard.route(deleteAccountRoute), async (c) => {
    const { user } = c.get('caller');
    const { password } = c.req.valid('json');
    if (!(await passwordMatches(user, password, clientMeta(c).ip))) throw invalidCredentials();
    const liveRooms = await liveRoomsOf(deps, user.id);
    const nowMs = deps.now();
    // Only if the password is still the one just verified (a change meanwhile wins). The entry
    // it leaves names nobody: no id, no address.
    const deleted = await deps.store.accounts.deleteWithPassword(
      { userId: user.id, verifiedHash: user.passwordHash },
      {
        action: 'account_deleted',
        actorId: null,
        target: null,
        ip: null,
        detail: { role: user.role },
      } satisfies AuditRecord,
      nowMs,
    );
    if (!deleted) throw invalidCredentials();
    deps.logger.info('an account was deleted by its owner');
    // The account is gone; its participants leave the rooms they are in. A LiveKit that cannot be
    // reached is logged (their tokens no longer resolve to a user, so the agent refuses them).
    const removal = await removeParticipants(deps.config.livekit, liveRooms);
    if (removal.failed.length > 0)
      deps.logger.warn(
        { failed: removal.failed.length },
        'could not remove a deleted account from its LiveKit rooms',
      );
    // Over https the browser sends its refresh cookie here too (Path=/); it belongs to nobody now.
    clearRefreshCookie(c, deps.config);
    return c.body(null, 204);
  });

  router.openapi(guard.route(changePasswordRoute), async (c) => {
    const { user, claims } = c.get('caller');
    const body = c.req.valid('json');
    if (!(await passwordMatches(user, body.current_password, clientMeta(c).ip)))
      throw invalidCredentials();
    const passwordHash = await deps.passwords.hash(body.new_password);
    const nowMs = deps.now();
    const { ip } = clientMeta(c);
    // Another change (or a deletion) while bcrypt ran: the verified password is stale. This
    // device stays signed in; every other one, and every mailed password link, is revoked.
    const changed = await deps.store.accountRecovery.setPassword(
      user.id,
      passwordHash,
      nowMs,
      { keepFamilyId: claims.familyId, ifPasswordHashIs: user.passwordHash ?? '' },
      (): AuditRecord => ({ action: 'password_change', actorId: user.id, target: user.id, ip }),
    );
    if (!changed) throw invalidCredentials();
    // Whoever held the old password may be in a room now: every participant of the user leaves,
    // this device's too (its refresh token stays valid, so it simply joins again).
    await disconnectFromLiveRooms(deps, user.id, 'a password change');
    return c.body(null, 204);
  });

  // --- devices ---

  router.openapi(guard.route(devicesRoute), async (c) => {
    const { user, claims } = c.get('caller');
    const devices = (await deps.store.accounts.devices(user.id, deps.now())).map((device) => ({
      id: device.familyId,
      created_at: iso(device.createdAt),
      last_used_at: iso(device.lastUsedAt),
      user_agent: device.userAgent,
      ip: device.ip,
      current: device.familyId === claims.familyId,
    }));
    return c.json({ devices }, 200);
  });

  router.openapi(guard.route(deleteDeviceRoute), async (c) => {
    const { user } = c.get('caller');
    const { id } = c.req.valid('param');
    const signedOut = await deps.store.accounts.signOutDevice(
      { userId: user.id, familyId: id },
      {
        action: 'device_signed_out',
        actorId: user.id,
        target: user.id,
        ip: clientMeta(c).ip,
        detail: { device_id: id },
      } satisfies AuditRecord,
      deps.now(),
    );
    // Someone else's device, a signed-out one or no such id: one answer, so nothing is revealed.
    if (!signedOut) throw apiError('device_not_found');
    return c.body(null, 204);
  });

  return router;
}
