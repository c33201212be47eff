import { audit } from '../../audit/audit.ts';
import type { AppDeps } from '../../deps.ts';
import { clientMeta } from '../../http/client-meta.ts';
import { apiError } from '../../http/error-catalog.ts';
import type { RouteGuard } from '../../http/route-guard.ts';
import { createRouter } from '../../http/router.ts';
import { LiveKitUnavailableError, listLiveRooms } from '../../livekit/live-rooms.ts';
import { runSweepPass, sweepOptionsOf } from '../../livekit/session-sweep.ts';
import { cleanupRoute, liveRoomsRoute } from './admin-operations.routes.ts';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Running the deployment: the sweep on demand, and the live rooms as LiveKit sees them. */
export function createAdminOperationsRouter(deps: AppDeps, guard: RouteGuard) {
  const router = createRouter();

  router.openapi(guard.route(cleanupRoute), async (c) => {
    const caller = c.get('caller').user;
    // The same pass the timer runs (livekit/session-sweep.ts), with the same settings.
    const { result, removal } = await runSweepPass(deps, deps.now(), sweepOptionsOf(deps.config));
    await audit(deps, {
      action: 'cleanup',
      actorId: caller.id,
      target: null,
      ip: clientMeta(c).ip,
      detail: result,
    });
    return c.json(
      {
        expired_sessions: result.expired,
        timed_out_sessions: result.timedOut,
        guests_deleted: result.deletedGuests,
        pruned_webhook_events: result.prunedEvents,
        pruned_action_tokens: result.prunedActionTokens,
        pruned_throttle_rows: result.prunedThrottleRows,
        livekit: removal,
      },
      200,
    );
  });

  router.openapi(guard.route(liveRoomsRoute), async (c) => {
    try {
      const rooms = await listLiveRooms(deps.config.livekit);
      return c.json(
        {
          rooms: rooms
            .sort((a, b) => a.name.localeCompare(b.name))
            .map((room) => ({
              name: room.name,
              created_at: iso(room.createdAtMs),
              num_participants: room.numParticipants,
              participants: room.participants.map((p) => ({
                identity: p.identity,
                name: p.name,
                user_id: p.userId,
                joined_at: iso(p.joinedAtMs),
                state: p.state,
                kind: p.kind,
              })),
            })),
        },
        200,
      );
    } catch (error) {
      if (!(error instanceof LiveKitUnavailableError)) throw error;
      deps.logger.warn({ err: error }, 'LiveKit could not list rooms');
      throw apiError('livekit_unavailable', error.message);
    }
  });

  return router;
}
